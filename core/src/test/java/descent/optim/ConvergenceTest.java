package descent.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.problems.TestFunction;
import descent.problems.Trajectory;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every optimizer reaches the minimum of a parabola and of Rosenbrock's valley from (−1.2, 1). */
class ConvergenceTest {

    static Stream<Arguments> parabola() {
        return Stream.of(
                Arguments.of("gd", Hyperparameters.of("lr", "0.15")),
                Arguments.of("sgd", Hyperparameters.of("lr", "0.1", "momentum", "0.5", "momentum_form", "ema", "unbias", "true")),
                Arguments.of("momentum", Hyperparameters.of("lr", "0.05")),
                Arguments.of("nesterov", Hyperparameters.of("lr", "0.05")),
                Arguments.of("nesterov-lookahead", Hyperparameters.of("lr", "0.1")),
                Arguments.of("adam", Hyperparameters.of("lr", "0.1")),
                Arguments.of("adam", Hyperparameters.of("lr", "0.1", "bias_correction", "false")),
                Arguments.of("amsgrad", Hyperparameters.of("lr", "0.1")),
                Arguments.of("adamw", Hyperparameters.of("lr", "0.1", "weight_decay", "0")),
                Arguments.of("adagrad", Hyperparameters.of("lr", "1")),
                Arguments.of("rmsprop", Hyperparameters.of("lr", "0.01", "schedule", "exponential:0.999")),
                Arguments.of("rmsprop", Hyperparameters.of("lr", "0.01", "centered", "true", "momentum", "0.5",
                        "schedule", "exponential:0.999")),
                Arguments.of("adadelta", Hyperparameters.of("lr", "1", "eps", "1e-4", "schedule", "exponential:0.999")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("parabola")
    void reachesTheMinimumOfAParabola(String name, Hyperparameters h) {
        assertReaches(name, h, TestFunction.ellipse(10), new double[] {2, 1}, new double[] {0, 0}, 1e-4, 5_000);
    }

    static Stream<Arguments> rosenbrock() {
        return Stream.of(
                Arguments.of("gd", Hyperparameters.of("lr", "0.0015")), // 0.002 is unstable at the minimum (λmax ≈ 1002)
                Arguments.of("momentum", Hyperparameters.of("lr", "0.001")),
                Arguments.of("nesterov", Hyperparameters.of("lr", "0.001")),
                Arguments.of("nesterov-lookahead", Hyperparameters.of("lr", "0.001", "momentum", "0.9",
                        "momentum_form", "classic")),
                Arguments.of("nesterov-lookahead", Hyperparameters.of("lr", "0.001", "momentum", "0.5")),
                Arguments.of("sgd", Hyperparameters.of("lr", "0.002", "momentum", "0.9", "momentum_form", "ema")),
                Arguments.of("adam", Hyperparameters.of("lr", "0.02", "schedule", "inverse-sqrt:0.01")),
                Arguments.of("amsgrad", Hyperparameters.of("lr", "0.05", "schedule", "inverse-sqrt:0.01")),
                Arguments.of("adamw", Hyperparameters.of("lr", "0.02", "weight_decay", "0", "schedule", "inverse-sqrt:0.01")),
                Arguments.of("adagrad", Hyperparameters.of("lr", "0.5")),
                Arguments.of("rmsprop", Hyperparameters.of("lr", "0.001", "schedule", "inverse-sqrt:0.01")),
                Arguments.of("adadelta", Hyperparameters.of("lr", "0.5", "eps", "1e-5", "schedule", "exponential:0.9999")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rosenbrock")
    void reachesTheMinimumOfRosenbrock(String name, Hyperparameters h) {
        assertReaches(name, h, TestFunction.rosenbrock(), new double[] {-1.2, 1}, new double[] {1, 1}, 1e-3, 40_000);
    }

    static void assertReaches(String name, Hyperparameters h, TestFunction fn, double[] start, double[] minimum,
                              double tolerance, int steps) {
        List<Trajectory.Point> path = Trajectory.run(fn, start, steps, params -> Optimizers.create(name, h, params));
        Trajectory.Point end = path.getLast();
        double distance = Math.hypot(end.x() - minimum[0], end.y() - minimum[1]);
        assertTrue(distance < tolerance, name + " on " + fn.name() + " ended at (" + end.x() + ", " + end.y()
                + "), " + distance + " from the minimum after " + end.step() + " steps");
    }
}
