package descent.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.problems.TestFunction;
import descent.problems.Trajectory;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every optimizer reaches the minimum of a parabola and of Rosenbrock's valley from (−1.2, 1). */
class ConvergenceTest {

    /** An optimizer to try, named for the report. */
    record Case(String label, Function<Map<String, Tensor>, Minimizer> optimizer) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Case of(String label, FirstOrder recipe) {
        return new Case(label, recipe::over);
    }

    /** Nesterov's look-ahead form, classic (not EMA) momentum. */
    static Case lookahead(String label, double lr, double momentum) {
        return new Case(label, p -> Optimizers.nesterovLookahead(p, Schedules.constant(lr), momentum, false));
    }

    static Stream<Case> parabola() {
        return Stream.of(
                of("gd lr=0.15", Optimizers.sgd(0.15)),
                of("sgd lr=0.1 ema momentum=0.5 unbiased", Optimizers.sgd(0.1).withMomentum(0.5).withEmaForm(true)),
                of("momentum lr=0.05", Optimizers.momentum(0.05, 0.9)),
                of("nesterov lr=0.05", Optimizers.nesterov(0.05, 0.9)),
                lookahead("nesterov-lookahead lr=0.1", 0.1, 0.9),
                of("adam lr=0.1", Optimizers.adam(0.1)),
                of("adam lr=0.1 without bias correction", Optimizers.adam(0.1).withBiasCorrection(false)),
                of("amsgrad lr=0.1", Optimizers.amsgrad(0.1)),
                of("adamw lr=0.1 weight_decay=0", Optimizers.adamw(0.1, 0)),
                of("adagrad lr=1", Optimizers.adagrad(1, 0)),
                of("rmsprop lr=0.01 exponential:0.999",
                        Optimizers.rmsprop(0.01).withSchedule(Schedules.exponential(0.01, 0.999))),
                of("rmsprop lr=0.01 centered momentum=0.5 exponential:0.999",
                        Optimizers.rmsprop(0.01).withCentered(true).withMomentum(0.5)
                                .withSchedule(Schedules.exponential(0.01, 0.999))),
                of("adadelta lr=1 eps=1e-4 exponential:0.999",
                        Optimizers.adadelta(1).withEps(1e-4).withSchedule(Schedules.exponential(1, 0.999))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parabola")
    void reachesTheMinimumOfAParabola(Case c) {
        assertReaches(c, TestFunction.ellipse(10), new double[] {2, 1}, new double[] {0, 0}, 1e-4, 5_000);
    }

    static Stream<Case> rosenbrock() {
        return Stream.of(
                of("gd lr=0.0015", Optimizers.sgd(0.0015)), // 0.002 is unstable at the minimum (λmax ≈ 1002)
                of("momentum lr=0.001", Optimizers.momentum(0.001, 0.9)),
                of("nesterov lr=0.001", Optimizers.nesterov(0.001, 0.9)),
                lookahead("nesterov-lookahead lr=0.001 momentum=0.9", 0.001, 0.9),
                lookahead("nesterov-lookahead lr=0.001 momentum=0.5", 0.001, 0.5),
                of("sgd lr=0.002 ema momentum=0.9", Optimizers.sgd(0.002).withMomentum(0.9).withEmaForm(false)),
                of("adam lr=0.02 inverse-sqrt:0.01",
                        Optimizers.adam(0.02).withSchedule(Schedules.inverseSqrt(0.02, 0.01))),
                of("amsgrad lr=0.05 inverse-sqrt:0.01",
                        Optimizers.amsgrad(0.05).withSchedule(Schedules.inverseSqrt(0.05, 0.01))),
                of("adamw lr=0.02 weight_decay=0 inverse-sqrt:0.01",
                        Optimizers.adamw(0.02, 0).withSchedule(Schedules.inverseSqrt(0.02, 0.01))),
                of("adagrad lr=0.5", Optimizers.adagrad(0.5, 0)),
                of("rmsprop lr=0.001 inverse-sqrt:0.01",
                        Optimizers.rmsprop(0.001).withSchedule(Schedules.inverseSqrt(0.001, 0.01))),
                of("adadelta lr=0.5 eps=1e-5 exponential:0.9999",
                        Optimizers.adadelta(0.5).withEps(1e-5).withSchedule(Schedules.exponential(0.5, 0.9999))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rosenbrock")
    void reachesTheMinimumOfRosenbrock(Case c) {
        assertReaches(c, TestFunction.rosenbrock(), new double[] {-1.2, 1}, new double[] {1, 1}, 1e-3, 40_000);
    }

    static void assertReaches(Case c, TestFunction fn, double[] start, double[] minimum, double tolerance, int steps) {
        List<Trajectory.Point> path = Trajectory.run(fn, start, steps, c.optimizer());
        Trajectory.Point end = path.getLast();
        double distance = Math.hypot(end.x() - minimum[0], end.y() - minimum[1]);
        assertTrue(distance < tolerance, c + " on " + fn.name() + " ended at (" + end.x() + ", " + end.y()
                + "), " + distance + " from the minimum after " + end.step() + " steps");
    }
}
