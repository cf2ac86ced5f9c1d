package descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.nn.BatchNorm1d;
import descent.nn.Mode;
import descent.optim.Conventions.Converted;
import descent.problems.TestFunction;
import descent.problems.Trajectory;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Each conversion is run: both conventions' optimizers on Rosenbrock in float64, exact ones agreeing
 * to 1e-12 over hundreds of steps, approximate ones visibly apart. Keras's rules, which Descent does
 * not implement, are written out below from Keras 3's {@code update_step}s; each is first checked
 * against Descent where the two conventions coincide (epsilon 0), so the reference itself is tested.
 */
class ConventionsTest {

    static final TestFunction ROSENBROCK = TestFunction.rosenbrock();
    static final double[] START = {-1.2, 1};

    static List<double[]> descent(int steps, Function<Map<String, Tensor>, Minimizer> optimizer) {
        return Trajectory.run(ROSENBROCK, START, steps, optimizer).stream().map(p -> new double[] {p.x(), p.y()}).toList();
    }

    static double[] gradient(double[] theta) {
        Tensor t = Tensor.param(NdArray.of(theta.clone(), 2));
        ROSENBROCK.apply(t).backward();
        return t.grad().value().toDoubleArray();
    }

    /** One Keras update of θ (in place) given the gradient, its slots and the step t = 1, 2, ... */
    interface KerasUpdate {
        void apply(double[] theta, double[] g, double[][] slots, int t);
    }

    static List<double[]> keras(int steps, KerasUpdate update) {
        double[] theta = START.clone();
        double[][] slots = new double[3][2];
        List<double[]> path = new ArrayList<>(List.of(theta.clone()));
        for (int t = 1; t <= steps; t++) {
            update.apply(theta, gradient(theta), slots, t);
            path.add(theta.clone());
        }
        return path;
    }

    /** Keras's SGD: v ← μv − lr·g; θ ← θ + v, or θ ← θ + μv − lr·g with Nesterov. */
    static KerasUpdate kerasSgd(double lr, double mu, boolean nesterov) {
        return (theta, g, s, t) -> {
            for (int i = 0; i < 2; i++) {
                s[0][i] = mu * s[0][i] - lr * g[i];
                theta[i] += nesterov ? mu * s[0][i] - lr * g[i] : s[0][i];
            }
        };
    }

    /** Keras's RMSprop: v ← ρv + (1 − ρ)g²; θ ← θ − lr·g/√(v + ε). */
    static KerasUpdate kerasRmsProp(double lr, double rho, double epsilon) {
        return (theta, g, s, t) -> {
            for (int i = 0; i < 2; i++) {
                s[0][i] = rho * s[0][i] + (1 - rho) * g[i] * g[i];
                theta[i] -= lr * g[i] / Math.sqrt(s[0][i] + epsilon);
            }
        };
    }

    /** Keras's Adam: α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ); m += (g − m)(1 − β₁); v += (g² − v)(1 − β₂); θ ← θ − α·m/(√v + ε̂). */
    static KerasUpdate kerasAdam(double lr, double b1, double b2, double epsilon) {
        return (theta, g, s, t) -> {
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            for (int i = 0; i < 2; i++) {
                s[0][i] += (g[i] - s[0][i]) * (1 - b1);
                s[1][i] += (g[i] * g[i] - s[1][i]) * (1 - b2);
                theta[i] -= alpha * s[0][i] / (Math.sqrt(s[1][i]) + epsilon);
            }
        };
    }

    static double gap(List<double[]> a, List<double[]> b) {
        assertEquals(a.size(), b.size());
        double worst = 0;
        for (int k = 0; k < a.size(); k++) {
            for (int i = 0; i < 2; i++) {
                assertTrue(Double.isFinite(a.get(k)[i]) && Double.isFinite(b.get(k)[i]), "finite at step " + k);
                worst = Math.max(worst, Math.abs(a.get(k)[i] - b.get(k)[i]));
            }
        }
        return worst;
    }

    static final int STEPS = 400;

    @Test
    void classicMomentumIsTheEmaFormWithTheRateOverOneMinusBeta() {
        var torch = new Conventions.TorchMomentum(2e-4, 0.9, 0);
        Converted<Conventions.EmaMomentum> ema = Conventions.toEma(torch);
        assertTrue(ema.exact(), ema.note());
        assertEquals(2e-4 / 0.1, ema.value().lr(), 1e-15);
        List<double[]> classic = descent(STEPS, p -> Optimizers.momentum(2e-4, 0.9).over(p));
        List<double[]> emaPath = descent(STEPS, p -> Optimizers.sgd(ema.value().lr()).withMomentum(0.9).withEmaForm(false).over(p));
        assertTrue(gap(classic, emaPath) < 1e-12, "gap " + gap(classic, emaPath));
        assertTrue(gap(classic, descent(STEPS, p -> Optimizers.sgd(2e-4).withMomentum(0.9).withEmaForm(false).over(p))) > 1e-3,
                "the EMA form with the same rate is another method");
        // And back, and to Keras: the same numbers.
        assertEquals(torch.lr(), Conventions.toTorch(ema.value()).value().lr(), 1e-18);
        Converted<Conventions.KerasMomentum> k = Conventions.toKeras(ema.value());
        assertTrue(k.exact() && k.note().contains("constant learning rate"), k.note());
        assertTrue(gap(classic, keras(STEPS, kerasSgd(k.value().learningRate(), 0.9, false))) < 1e-12);
    }

    @Test
    void dampeningMakesTheEmaFormApproximateAndTheTrajectoriesDiffer() {
        Converted<Conventions.EmaMomentum> ema = Conventions.toEma(new Conventions.TorchMomentum(4e-4, 0.9, 0.5));
        assertFalse(ema.exact());
        assertTrue(ema.note().contains("first gradient undamped"), ema.note());
        assertEquals(4e-4 * 0.5 / 0.1, ema.value().lr(), 1e-15);
        List<double[]> damped = descent(STEPS, p -> Optimizers.momentum(4e-4, 0.9).withDampening(0.5).over(p));
        List<double[]> emaPath = descent(STEPS, p -> Optimizers.sgd(ema.value().lr()).withMomentum(0.9).withEmaForm(false).over(p));
        assertTrue(gap(damped, emaPath) > 1e-6, "gap " + gap(damped, emaPath));
    }

    /**
     * PyTorch's Nesterov iterates θₜ are the look-ahead points φₜ − α·β·uₜ at which the notes' form
     * evaluates its gradients: record those points and compare.
     */
    @Test
    void pytorchsNesterovIsTheLookaheadFormInShiftedCoordinates() {
        var torch = new Conventions.TorchNesterov(2e-4, 0.9);
        List<double[]> pytorch = descent(STEPS, p -> Optimizers.nesterov(2e-4, 0.9).over(p));
        for (boolean emaForm : new boolean[] {false, true}) {
            Converted<Conventions.LookaheadForm> l = Conventions.toLookahead(torch, emaForm);
            assertTrue(l.exact() && l.note().contains("shifted coordinates"), l.note());
            assertEquals(emaForm ? 2e-3 : 2e-4, l.value().lr(), 1e-15);
            Tensor phi = Tensor.param(NdArray.of(START.clone(), 2));
            Map<String, Tensor> params = Map.of("theta", phi);
            List<double[]> lookahead = new ArrayList<>(List.of(START.clone()));
            Closure closure = Objective.closure(params, () -> ROSENBROCK.apply(phi));
            Closure recording = () -> {
                if (lookahead.size() > 1 || !java.util.Arrays.equals(START, phi.value().toDoubleArray())) {
                    throw new AssertionError("the first gradient is taken at the start");
                }
                return closure.evaluate();
            };
            LookaheadNesterov n = Optimizers.nesterovLookahead(params, Schedules.constant(l.value().lr()), 0.9, emaForm);
            n.step(recording);
            for (int t = 2; t <= STEPS + 1; t++) {
                n.step(() -> {
                    lookahead.add(phi.value().toDoubleArray());
                    return closure.evaluate();
                });
            }
            assertTrue(gap(pytorch, lookahead) < 1e-12, "gap " + gap(pytorch, lookahead));
        }
        Converted<Conventions.KerasNesterov> k = Conventions.toKeras(new Conventions.LookaheadForm(2e-3, 0.9, true));
        assertEquals(2e-4, k.value().learningRate(), 1e-15);
        assertTrue(gap(pytorch, keras(STEPS, kerasSgd(k.value().learningRate(), 0.9, true))) < 1e-12);
    }

    @Test
    void rmspropsEpsilonMovesIntoTheSquareRoot() {
        List<double[]> torch0 = descent(STEPS, p -> Optimizers.rmsprop(1e-3).withAlpha(0.9).withEps(0).over(p));
        assertTrue(gap(torch0, keras(STEPS, kerasRmsProp(1e-3, 0.9, 0))) < 1e-12, "the reference is Keras's rule");
        assertTrue(Conventions.toTorch(new Conventions.KerasRmsProp(1e-3, 0.9, 0, 0)).exact());

        Converted<Conventions.TorchRmsProp> t = Conventions.toTorch(new Conventions.KerasRmsProp(1e-3, 0.9, 1e-2, 0));
        assertFalse(t.exact());
        assertTrue(t.note().contains("inside the square root"), t.note());
        assertEquals(0.1, t.value().eps(), 1e-15);
        assertEquals(0.9, t.value().alpha());
        List<double[]> torch = descent(STEPS, p -> Optimizers.rmsprop(1e-3).withAlpha(0.9).withEps(t.value().eps()).over(p));
        assertTrue(gap(torch, keras(STEPS, kerasRmsProp(1e-3, 0.9, 1e-2))) > 1e-6);
        assertEquals(1e-2, Conventions.toKeras(t.value()).value().epsilon(), 1e-15);
    }

    /**
     * Keras's ε̂ is PyTorch's eps_t = ε̂/√(1 − β₂ᵗ): with that eps at each step (the same rule, its
     * state carried over) the two agree exactly; with the converter's constant eps = ε̂ they differ.
     */
    @Test
    void kerasAdamsEpsilonHatIsAStepDependentEps() {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, epsHat = 1e-3;
        assertTrue(gap(descent(STEPS, p -> Optimizers.adam(lr).withEps(0).over(p)), keras(STEPS, kerasAdam(lr, b1, b2, 0)))
                < 1e-12, "the reference is Keras's rule");
        Converted<Conventions.TorchAdam> t = Conventions.toTorch(new Conventions.KerasAdam(lr, b1, b2, epsHat));
        assertFalse(t.exact());
        assertTrue(t.note().contains("ε̂/√(1 − β₂ᵗ)") && t.note().contains("31.62·ε̂"), t.note());
        List<double[]> kerasPath = keras(STEPS, kerasAdam(lr, b1, b2, epsHat));
        assertTrue(gap(descent(STEPS, p -> Optimizers.adam(lr).withEps(t.value().eps()).over(p)), kerasPath) > 1e-6);

        NdArray theta = NdArray.of(START.clone(), 2);
        Rule.ChainState state = Optimizers.adam(lr).rule().init(theta);
        List<double[]> stepwise = new ArrayList<>(List.of(START.clone()));
        for (int step = 1; step <= STEPS; step++) {
            double eps = epsHat / Math.sqrt(1 - Math.pow(b2, step));
            Rule.Step<Rule.ChainState> s = Optimizers.adam(lr).withEps(eps).rule()
                    .apply(NdArray.of(gradient(theta.toDoubleArray()), 2), theta, state);
            theta = theta.add(s.update());
            state = s.state();
            stepwise.add(theta.toDoubleArray());
        }
        assertTrue(gap(stepwise, kerasPath) < 1e-12, "gap " + gap(stepwise, kerasPath));
    }

    /**
     * m ↔ 1 − m: the running means agree exactly; the running variances differ by the unbiasing
     * factor, exactly: r_torch − (1 − m)ᵗ = N/(N − 1)·(r_keras − (1 − m)ᵗ) (both start at 1).
     */
    @Test
    void batchNormMomentumIsOneMinusTheOtherAndTheVarianceKeepsItsBias() {
        Converted<Conventions.KerasBatchNorm> k = Conventions.toKeras(new Conventions.TorchBatchNorm(0.1, 1e-5));
        assertEquals(0.9, k.value().momentum(), 1e-15);
        assertEquals(1e-5, k.value().epsilon());
        assertFalse(k.exact());
        assertTrue(k.note().contains("unbiased (×N/(N − 1))"), k.note());
        int n = 8;
        BatchNorm1d torch = new BatchNorm1d(3, 1e-5, BatchNorm1d.Momentum.pytorch(0.1), true, DType.FLOAT64);
        BatchNorm1d keras = new BatchNorm1d(3, 1e-5, k.value().runningStatistics(), true, DType.FLOAT64);
        SplittableRandom rng = new SplittableRandom(4);
        int batches = 50;
        for (int b = 0; b < batches; b++) {
            NdArray x = NdArray.randn(rng, DType.FLOAT64, n, 3).mul(2).add(1);
            torch.forward(Tensor.of(x), Mode.train(null));
            keras.forward(Tensor.of(x), Mode.train(null));
        }
        double[] mt = torch.runningMean().value().toDoubleArray(), mk = keras.runningMean().value().toDoubleArray();
        double[] vt = torch.runningVar().value().toDoubleArray(), vk = keras.runningVar().value().toDoubleArray();
        double start = Math.pow(0.9, batches);
        for (int j = 0; j < 3; j++) {
            assertEquals(mt[j], mk[j], 1e-12);
            assertEquals(vt[j] - start, n / (n - 1.0) * (vk[j] - start), 1e-12);
            assertTrue(Math.abs(vt[j] - vk[j]) > 0.01, "the variances differ");
        }
        // Keras and the notes differ only in the start; the notes and PyTorch in both.
        Converted<Conventions.NotesBatchNorm> notes = Conventions.toNotes(new Conventions.KerasBatchNorm(0.99, 1e-3));
        assertEquals(0.01, notes.value().momentum(), 1e-15);
        assertTrue(!notes.exact() && notes.note().startsWith("the notes' averages start") && !notes.note().contains("unbiased"),
                notes.note());
        assertTrue(Conventions.toKeras(new Conventions.KerasBatchNorm(0.99, 1e-3)).exact());
    }
}
