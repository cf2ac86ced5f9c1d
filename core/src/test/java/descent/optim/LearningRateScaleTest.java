package descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.tensor.NdArray;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@link Optimizer#scaleLearningRate}, which a rollback after a divergence uses: every first-order
 * method takes exactly the steps of the same method at the scaled rate, the state carries on
 * across the change, and the factor survives a state dict round trip.
 */
class LearningRateScaleTest {

    /** Each method at rate lr, as a function of the schedule. */
    static Stream<Arguments> methods() {
        Map<String, Function<Schedule, FirstOrder>> m = new java.util.LinkedHashMap<>();
        m.put("sgd", s -> Optimizers.sgd(1).withSchedule(s));
        m.put("momentum", s -> Optimizers.momentum(1, 0.9).withSchedule(s));
        m.put("nesterov", s -> Optimizers.nesterov(1, 0.9).withWeightDecay(0.01).withSchedule(s));
        m.put("sgd-ema-clip", s -> Optimizers.momentum(1, 0.9).withEmaForm(true).withClipValue(0.5).withSchedule(s));
        m.put("adam", s -> Optimizers.adam(1).withSchedule(s));
        m.put("adamw", s -> Optimizers.adamw(1, 0.01).withSchedule(s));
        m.put("amsgrad", s -> Optimizers.amsgrad(1).withSchedule(s));
        m.put("rmsprop", s -> Optimizers.rmsprop(1).withMomentum(0.5).withSchedule(s));
        m.put("adagrad", s -> Optimizers.adagrad(1, 0.1).withSchedule(Schedules.inverseTime(s.at(0), 0.1)));
        m.put("adadelta", s -> Optimizers.adadelta(1).withSchedule(s));
        m.put("nesterov-lookahead", s -> Optimizers.lookaheadMomentum(1, 0.9).withSchedule(s));
        return m.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    private static final double LR = 0.05;

    /** Steps on f(p) = Σ (p − c)² · w, whose gradients differ per coordinate. */
    private static Optimizer run(FirstOrder method, double scale, int steps) {
        Tensor p = Tensor.param(NdArray.of(new double[] {1.5, -0.7, 0.2, 3}, 4));
        Optimizer opt = method.over(Map.of("p", p));
        if (scale != 1) {
            opt.scaleLearningRate(scale);
        }
        step(opt, steps);
        return opt;
    }

    private static void step(Optimizer opt, int steps) {
        Tensor p = opt.parameters().get("p");
        Tensor c = Tensor.of(new double[] {0.3, 0.1, -2, 1}, 4);
        Tensor w = Tensor.of(new double[] {1, 10, 0.1, 3}, 4);
        for (int i = 0; i < steps; i++) {
            opt.zeroGrad();
            Tensor d = p.sub(c);
            d.mul(d).mul(w).sum().backward();
            opt.step();
        }
    }

    private static double[] p(Optimizer opt) {
        return opt.parameters().get("p").value().toDoubleArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void aHalvedRateStepsAsTheMethodAtHalfTheRate(String name, Function<Schedule, FirstOrder> method) {
        Optimizer halved = run(method.apply(Schedules.constant(LR)), 0.5, 6);
        Optimizer direct = run(method.apply(Schedules.constant(LR / 2)), 1, 6);
        Optimizer full = run(method.apply(Schedules.constant(LR)), 1, 6);
        assertArrayEquals(p(direct), p(halved), 0, name);
        assertFalse(java.util.Arrays.equals(p(full), p(halved)), name + ": the factor must change the steps");
        assertEquals(direct.learningRate(), halved.learningRate(), 0);
        assertEquals(0.5, halved.learningRateScale());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void theFactorSurvivesAStateDictRoundTrip(String name, Function<Schedule, FirstOrder> method) {
        FirstOrder m = method.apply(Schedules.constant(LR));
        Optimizer a = run(m, 1, 3);
        a.scaleLearningRate(0.5);
        a.scaleLearningRate(0.5);
        step(a, 1);
        Map<String, NdArray> saved = a.stateDict();
        assertTrue(saved.containsKey("#lr_scale"), name);
        Optimizer b = run(m, 1, 0);
        b.parameters().get("p").assign(a.parameters().get("p").value().copy());
        b.loadStateDict(saved);
        assertEquals(0.25, b.learningRateScale());
        step(a, 3);
        step(b, 3);
        assertArrayEquals(p(a), p(b), 0, name);
    }

    @Test
    void midRunTheStateCarriesOnAsUnderASchedule() {
        // Halving after step 3 is the schedule lr·(t < 3 ? 1 : ½), for the fused and the general paths.
        Schedule piecewise = t -> t < 3 ? LR : LR / 2;
        for (FirstOrder f : List.<FirstOrder>of(Optimizers.momentum(LR, 0.9), Optimizers.adam(LR),
                Optimizers.adam(LR).withClipValue(1), Optimizers.rmsprop(LR))) {
            Optimizer halved = run(f, 1, 3);
            halved.scaleLearningRate(0.5);
            step(halved, 4);
            FirstOrder planned = switch (f) {
                case Sgd s -> s.withSchedule(piecewise);
                case Adam a -> a.withSchedule(piecewise);
                case RmsProp r -> r.withSchedule(piecewise);
                default -> throw new AssertionError(f);
            };
            assertArrayEquals(p(run(planned, 1, 7)), p(halved), 0, f.toString());
        }
    }

    @Test
    void unscaledStateDictsAreAsBeforeAndBadFactorsAreRefused() {
        Optimizer a = run(Optimizers.adam(LR), 1, 2);
        assertFalse(a.stateDict().containsKey("#lr_scale"));
        assertThrows(IllegalArgumentException.class, () -> a.scaleLearningRate(0));
        assertThrows(IllegalArgumentException.class, () -> a.scaleLearningRate(Double.NaN));
        Map<String, NdArray> bad = new java.util.LinkedHashMap<>(a.stateDict());
        bad.put("#lr_scale", NdArray.scalar(descent.tensor.DType.FLOAT64, -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.loadStateDict(bad));
        assertTrue(e.getMessage().contains("#lr_scale"), e.getMessage());
    }
}
