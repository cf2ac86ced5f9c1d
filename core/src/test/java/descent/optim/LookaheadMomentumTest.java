package descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.problems.TestFunction;
import descent.tensor.NdArray;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trainable look-ahead Nesterov against the closure form it rewrites: the same method, its
 * parameters at the look-ahead point φ = θ − αβu.
 */
class LookaheadMomentumTest {

    static Tensor param(double... v) {
        return Tensor.param(NdArray.of(v, v.length));
    }

    static Closure objective(Tensor p, TestFunction fn) {
        return Objective.closure(Map.of("p", p), () -> fn.apply(p));
    }

    /** A rate that warms up from 0 over 20 steps, then decays by 1% a step: α changes at every step. */
    static Schedule warmupThenDecay(double lr) {
        return Schedules.linearWarmup(Schedules.exponential(lr, 0.99), 20, 0);
    }

    @Test
    void followsTheClosureFormOnRosenbrockInBothFormsAndUnderAChangingRate() {
        TestFunction rosenbrock = TestFunction.rosenbrock();
        for (boolean ema : new boolean[] {false, true}) {
            for (Schedule lr : new Schedule[] {Schedules.constant(ema ? 2e-3 : 2e-4), warmupThenDecay(ema ? 2e-3 : 2e-4)}) {
                Tensor theta = param(-1.2, 1);
                Tensor phi = param(-1.2, 1);
                LookaheadNesterov closureForm = new LookaheadNesterov(Map.of("p", theta), lr, 0.9, ema);
                LookaheadMomentum recipe = new LookaheadMomentum(lr, 0.9, ema, 0, 0);
                Optimizer trainable = recipe.over(Map.of("p", phi));
                Closure atTheta = objective(theta, rosenbrock);
                Closure atPhi = objective(phi, rosenbrock);
                double[] start = theta.value().toDoubleArray();
                for (int t = 0; t < 1000; t++) {
                    closureForm.step(atTheta);
                    trainable.step(atPhi);
                    double[] notes = theta.value().toDoubleArray();
                    double[] recovered = recipe.iterate(phi.value(), trainable.state("p")).toDoubleArray();
                    assertArrayEquals(notes, recovered, 1e-12, "θ at step " + (t + 1) + (ema ? " (EMA)" : " (classic)"));
                    assertArrayEquals(closureForm.stateDict().get("p/u").toDoubleArray(),
                            ((Rule.ChainState) trainable.state("p")).states().getLast() instanceof LookaheadMomentum.Velocity v
                                    ? v.u().toDoubleArray() : null, 1e-10, "u at step " + (t + 1));
                }
                double moved = Math.hypot(theta.value().toDoubleArray()[0] - start[0], theta.value().toDoubleArray()[1] - start[1]);
                assertTrue(moved > 0.2, "the runs went somewhere: moved " + moved);
            }
        }
    }

    @Test
    void firstTwoStepsByHand() {
        // f = p², g = 2p at φ; α = 0.1, β = 0.5. Classic: u₁ = 2, θ₁ = 0.8, φ₁ = θ₁ − αβu₁ = 0.7;
        // g = 1.4, u₂ = 2.4, θ₂ = 0.56, φ₂ = 0.56 − 0.05·2.4 = 0.44.
        // EMA: u₁ = 1, θ₁ = 0.9, φ₁ = 0.85; g = 1.7, u₂ = 1.35, θ₂ = 0.765, φ₂ = 0.6975.
        for (boolean ema : new boolean[] {false, true}) {
            Tensor p = param(1);
            LookaheadMomentum recipe = Optimizers.lookaheadMomentum(0.1, 0.5).withEmaForm(ema);
            Optimizer opt = recipe.over(Map.of("p", p));
            Closure f = () -> {
                p.zeroGrad();
                Tensor loss = p.mul(p).sum();
                loss.backward();
                return loss.item();
            };
            opt.step(f);
            assertEquals(ema ? 0.85 : 0.7, p.value().item(), 1e-15);
            assertEquals(ema ? 0.9 : 0.8, recipe.iterate(p.value(), opt.state("p")).item(), 1e-15);
            opt.step(f);
            assertEquals(ema ? 0.6975 : 0.44, p.value().item(), 1e-15);
            assertEquals(ema ? 0.765 : 0.56, recipe.iterate(p.value(), opt.state("p")).item(), 1e-15);
        }
    }

    @Test
    void theLookAheadUsesTheNextStepsRate() {
        // α₀ = 0.1, α₁ = 0.2, classic, β = 0.5, f = p²: θ₁ = 0.8 as before, but φ₁ = θ₁ − α₁βu₁ = 0.8 − 0.2 = 0.6;
        // at φ₁, g = 1.2, u₂ = 2.2, θ₂ = 0.8 − 0.2·2.2 = 0.36.
        Tensor p = param(1);
        LookaheadMomentum recipe = Optimizers.lookaheadMomentum(0, 0.5)
                .withSchedule(Schedules.piecewise(new long[] {1}, new double[] {0.1, 0.2}));
        Optimizer opt = recipe.over(Map.of("p", p));
        Closure f = Objective.closure(Map.of("p", p), () -> p.mul(p).sum());
        opt.step(f);
        assertEquals(0.6, p.value().item(), 1e-15);
        opt.step(f);
        assertEquals(0.36, recipe.iterate(p.value(), opt.state("p")).item(), 1e-15);
    }

    @Test
    void withAConstantRateTheClassicFormIsPyTorchsNesterov() {
        TestFunction rosenbrock = TestFunction.rosenbrock();
        Tensor a = param(-1.2, 1);
        Tensor b = param(-1.2, 1);
        Optimizer lookahead = Optimizers.lookaheadMomentum(2e-4, 0.9).over(Map.of("p", a));
        Optimizer pytorch = Optimizers.nesterov(2e-4, 0.9).over(Map.of("p", b));
        for (int t = 0; t < 500; t++) {
            lookahead.step(objective(a, rosenbrock));
            pytorch.step(objective(b, rosenbrock));
        }
        assertArrayEquals(b.value().toDoubleArray(), a.value().toDoubleArray(), 1e-12);
    }

    @Test
    void weightDecayIsTheL2GradientAtTheLookAheadPoint() {
        // f = 0 with λ = 1: g = λφ. α = 0.1, β = 0.5, classic: φ₁ = 1 − 0.15·1 = 0.85.
        Tensor p = param(1);
        Optimizer opt = Optimizers.lookaheadMomentum(0.1, 0.5).withWeightDecay(1).over(Map.of("p", p));
        opt.step(Objective.closure(Map.of("p", p), () -> p.mul(0).sum()));
        assertEquals(0.85, p.value().item(), 1e-15);
    }

    @Test
    void stateSurvivesASaveAndLoadBitForBit() {
        TestFunction rosenbrock = TestFunction.rosenbrock();
        LookaheadMomentum recipe = new LookaheadMomentum(warmupThenDecay(1e-3), 0.9, true, 1e-3, 5);
        Tensor p = param(-1.2, 1);
        Optimizer opt = recipe.over(Map.of("p", p));
        for (int t = 0; t < 30; t++) {
            opt.step(objective(p, rosenbrock));
        }
        Map<String, NdArray> saved = opt.stateDict();
        NdArray weights = p.value().copy();
        assertEquals(new LinkedHashMap<>(saved).keySet(), java.util.Set.of("#steps", "p/2.u", "p/2.count"), saved.keySet().toString());
        for (int t = 0; t < 30; t++) {
            opt.step(objective(p, rosenbrock));
        }
        Tensor q = Tensor.param(weights);
        Optimizer resumed = recipe.over(Map.of("p", q));
        resumed.loadStateDict(saved);
        for (int t = 0; t < 30; t++) {
            resumed.step(objective(q, rosenbrock));
        }
        assertArrayEquals(p.value().toDoubleArray(), q.value().toDoubleArray(), 0);
    }

    @Test
    void theIterateBeforeTheFirstStepIsTheParameterAndForeignStatesAreRefused() {
        LookaheadMomentum recipe = Optimizers.lookaheadMomentum(0.1, 0.9);
        NdArray phi = NdArray.of(new double[] {1, 2}, 2);
        assertSame(phi, recipe.iterate(phi, null));
        assertThrows(IllegalArgumentException.class, () -> recipe.iterate(phi, new Transforms.Count(3)));
        var e = assertThrows(IllegalArgumentException.class, () -> Optimizers.lookaheadMomentum(0.1, 1));
        assertTrue(e.getMessage().contains("nesterov-lookahead: momentum must be in [0, 1)"), e.getMessage());
    }
}
