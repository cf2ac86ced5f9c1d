package descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.optim.FusedRule;
import descent.optim.LookaheadNesterov;
import descent.optim.Minimizer;
import descent.optim.Optimizers;
import descent.optim.Schedule;
import descent.optim.Schedules;
import descent.optim.fullbatch.ConjugateGradient;
import descent.optim.fullbatch.CoordinateDescent;
import descent.optim.fullbatch.Lbfgs;
import descent.optim.fullbatch.Newton;
import descent.problems.TestFunction;
import descent.problems.Trajectory;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The command line's names and PyTorch-style strings map onto the core's typed recipes, and refuse what they cannot honour. */
class OptimizerNamesTest {

    private static List<Trajectory.Point> path(Function<Map<String, Tensor>, Minimizer> optimizer) {
        return Trajectory.run(TestFunction.rosenbrock(), new double[] {-1.2, 1}, 60, optimizer);
    }

    private static Function<Map<String, Tensor>, Minimizer> named(String name, String... hyper) {
        return p -> OptimizerNames.minimizer(name, Hyperparameters.of(hyper), p);
    }

    static List<Object[]> pairs() {
        Schedule cosine = Schedules.cosine(1e-3, 0, 40);
        return List.of(
                new Object[] {named("gd", "lr", "0.001"), (Function<Map<String, Tensor>, Minimizer>)
                        p -> Optimizers.sgd(0.001).over(p)},
                new Object[] {named("nesterov", "lr", "0.0005", "weight_decay", "0.1"),
                        (Function<Map<String, Tensor>, Minimizer>) p -> Optimizers.nesterov(0.0005, 0.9).withWeightDecay(0.1).over(p)},
                new Object[] {named("sgd", "lr", "0.001", "momentum", "0.5", "momentum_form", "ema", "unbias", "true"),
                        (Function<Map<String, Tensor>, Minimizer>) p -> Optimizers.sgd(0.001).withMomentum(0.5).withEmaForm(true).over(p)},
                new Object[] {named("adamw", "lr", "0.001", "schedule", "cosine:40", "beta2", "0.99"),
                        (Function<Map<String, Tensor>, Minimizer>) p -> Optimizers.adamw(0, 0.01).withSchedule(cosine)
                                .withBetas(0.9, 0.99).over(p)},
                new Object[] {named("adagrad", "lr", "0.3", "lr_decay", "0.01"),
                        (Function<Map<String, Tensor>, Minimizer>) p -> Optimizers.adagrad(0.3, 0.01).over(p)},
                new Object[] {named("rmsprop", "lr", "0.001", "centered", "true", "clip_value", "10"),
                        (Function<Map<String, Tensor>, Minimizer>) p -> Optimizers.rmsprop(0.001).withCentered(true)
                                .withClipValue(10).over(p)});
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void aNamedOptimizerFollowsItsTypedRecipeBitForBit(Function<Map<String, Tensor>, Minimizer> byName,
                                                       Function<Map<String, Tensor>, Minimizer> typed) {
        assertEquals(path(typed), path(byName));
    }

    @Test
    void everyNameMakesItsKindOfMinimizer() {
        Map<String, Tensor> p = Map.of("p", Tensor.param(descent.tensor.NdArray.of(new double[] {1, 2}, 2)));
        for (String name : OptimizerNames.NAMES) {
            Minimizer m = OptimizerNames.minimizer(name, Hyperparameters.of(), p);
            if (OptimizerNames.FIRST_ORDER.contains(name) && !name.equals("nesterov-lookahead")) {
                assertInstanceOf(descent.optim.Optimizer.class, m, name);
            }
        }
        assertInstanceOf(LookaheadNesterov.class, OptimizerNames.minimizer("nesterov-lookahead", Hyperparameters.of(), p));
        assertInstanceOf(Lbfgs.class, OptimizerNames.minimizer("lbfgs", Hyperparameters.of("history", "3"), p));
        assertInstanceOf(ConjugateGradient.class, OptimizerNames.minimizer("cg", Hyperparameters.of("beta", "fr"), p));
        assertInstanceOf(Newton.class, OptimizerNames.minimizer("saddle-free-newton", Hyperparameters.of(), p));
        assertInstanceOf(CoordinateDescent.class, OptimizerNames.minimizer("coordinate-descent",
                Hyperparameters.of("order", "random"), p));
        assertInstanceOf(FusedRule.class, OptimizerNames.firstOrder("momentum", Hyperparameters.of()).rule());
        var lookahead = (descent.optim.LookaheadMomentum) OptimizerNames.firstOrder("nesterov-lookahead",
                Hyperparameters.of("lr", "0.1", "momentum", "0.8", "momentum_form", "ema", "weight_decay", "1e-3"));
        assertEquals(List.of(0.1, 0.8, true, 1e-3, 0.0), List.of(lookahead.lr().at(7), lookahead.momentum(),
                lookahead.emaForm(), lookahead.weightDecay(), lookahead.clipValue()));
    }

    @Test
    void newtonsSafeguardIsAnOption() {
        Map<String, Tensor> p = Map.of("p", Tensor.param(descent.tensor.NdArray.of(new double[] {1, 2}, 2)));
        for (String name : List.of("newton", "saddle-free-newton")) {
            assertEquals(Newton.Safeguard.BACKTRACKING, ((Newton) OptimizerNames.minimizer(name, Hyperparameters.of(), p))
                    .safeguard());
            assertEquals(Newton.Safeguard.NONE, ((Newton) OptimizerNames.minimizer(name,
                    Hyperparameters.of("line_search", "none"), p)).safeguard());
            var e = assertThrows(IllegalArgumentException.class, () -> OptimizerNames.minimizer(name,
                    Hyperparameters.of("line_search", "exact"), p));
            assertTrue(e.getMessage().contains("line_search must be armijo"), e.getMessage());
        }
        var damped = assertThrows(IllegalArgumentException.class, () -> OptimizerNames.minimizer("damped-newton",
                Hyperparameters.of("line_search", "none"), p));
        assertTrue(damped.getMessage().startsWith("damped-newton does not take line_search"), damped.getMessage());
        var plain = assertThrows(IllegalArgumentException.class, () -> OptimizerNames.minimizer("newton",
                Hyperparameters.of("damping", "0.1"), p));
        assertTrue(plain.getMessage().contains("plain Newton takes no damping"), plain.getMessage());
    }

    @Test
    void unknownNamesAndHyperparametersAreErrorsThatSayWhatIsAccepted() {
        var unknown = assertThrows(IllegalArgumentException.class, () -> OptimizerNames.firstOrder("adamax", Hyperparameters.of()));
        assertTrue(unknown.getMessage().contains("expected one of gd, sgd"), unknown.getMessage());
        var extra = assertThrows(IllegalArgumentException.class,
                () -> OptimizerNames.firstOrder("adam", Hyperparameters.of("rho", "0.9")));
        assertTrue(extra.getMessage().startsWith("adam does not take rho (it takes ") && extra.getMessage().contains("beta1"),
                extra.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OptimizerNames.firstOrder("sgd", Hyperparameters.of("lr", "fast")));
        assertThrows(IllegalArgumentException.class, () -> OptimizerNames.firstOrder("sgd", Hyperparameters.of("nesterov", "yes")));
        assertThrows(IllegalArgumentException.class, () -> OptimizerNames.minimizer("cg", Hyperparameters.of("beta", "dy"),
                Map.of()));
        var decay = assertThrows(IllegalArgumentException.class, () -> OptimizerNames.firstOrder("adagrad",
                Hyperparameters.of("lr_decay", "0.01", "schedule", "constant")));
        assertTrue(decay.getMessage().contains("cannot combine with schedule constant"), decay.getMessage());
    }

    @Test
    void theEmaFormRefusesNesterovAndDampeningInsteadOfIgnoringThem() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerNames.firstOrder("nesterov", Hyperparameters.of("momentum_form", "ema")));
        assertTrue(e.getMessage().contains("EMA form"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OptimizerNames.firstOrder("sgd",
                Hyperparameters.of("momentum", "0.9", "momentum_form", "ema", "dampening", "0.1")));
        assertThrows(IllegalArgumentException.class, () -> OptimizerNames.firstOrder("sgd", Hyperparameters.of("unbias", "true")));
    }

    @Test
    void schedulesParseFromTheirCommandLineForm() {
        assertEquals(0.5, OptimizerNames.schedule("step:10:0.5", 1).at(10));
        assertEquals(0.5, OptimizerNames.schedule("cosine:10", 1).at(5), 1e-15);
        Schedule warm = OptimizerNames.schedule("exponential:0.5+warmup:2", 4);
        assertEquals(0, warm.at(0));
        assertEquals(4 * 0.5 * 0.5, warm.at(1), 1e-15);
        assertEquals(1, warm.at(2), 1e-15);
        assertEquals(0.1, OptimizerNames.schedule("piecewise:5:1,0.1", 9).at(5));
        assertThrows(IllegalArgumentException.class, () -> OptimizerNames.schedule("step:10", 1));
        assertThrows(IllegalArgumentException.class, () -> OptimizerNames.schedule("sawtooth", 1));
    }
}
