package descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.io.SafeTensors;
import descent.optim.fullbatch.FullBatch;
import descent.optim.fullbatch.LineSearch;
import descent.optim.fullbatch.Newton;
import descent.problems.TestFunction;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Steps computed by hand, state that survives a save and load, and the facade's rules. */
class OptimizerTest {

    @TempDir
    Path dir;

    static Tensor param(double... v) {
        return Tensor.param(NdArray.of(v, v.length));
    }

    /** Sets p's gradient to g, via the loss Σ g·p. */
    static void setGrad(Tensor p, double... g) {
        p.zeroGrad();
        Tensor.of(NdArray.of(g, g.length)).mul(p).sum().backward();
    }

    static double[] run(Minimizer m, Tensor p, double[]... grads) {
        for (double[] g : grads) {
            m.step(() -> {
                setGrad(p, g);
                return 0;
            });
        }
        return p.value().toDoubleArray();
    }

    static Map<String, Tensor> only(Tensor p) {
        return Map.of("p", p);
    }

    @Test
    void emaMomentumWithAndWithoutUnbiasing() {
        Tensor p = param(1);
        Minimizer unbiased = Optimizers.sgd(0.1).withMomentum(0.9).withEmaForm(true).over(only(p));
        assertEquals(1 - 0.1 - 0.1 * 0.29 / 0.19, run(unbiased, p, new double[] {1}, new double[] {2})[0], 1e-15);
        Tensor q = param(1);
        assertEquals(0.961, run(Optimizers.sgd(0.1).withMomentum(0.9).withEmaForm(false).over(only(q)), q,
                new double[] {1}, new double[] {2})[0], 1e-15);
    }

    @Test
    void adamWithAndWithoutBiasCorrection() {
        Tensor p = param(1);
        assertEquals(1 - 0.1 * 0.1 / Math.sqrt(0.001), run(Optimizers.adam(0.1).withEps(0).withBiasCorrection(false)
                .over(only(p)), p, new double[] {1})[0], 1e-15);
        Tensor q = param(1);
        assertEquals(0.9, run(Optimizers.adam(0.1).withEps(0).over(only(q)), q, new double[] {1})[0], 1e-15);
    }

    @Test
    void lookaheadNesterovEvaluatesTheGradientAheadInBothForms() {
        // f = θ², so g = 2θ at the look-ahead point θ − α·β·u.
        for (String form : new String[] {"ema", "classic"}) {
            Tensor p = param(1);
            Minimizer m = Optimizers.nesterovLookahead(only(p), Schedules.constant(0.1), 0.5, form.equals("ema"));
            List<Double> seen = new java.util.ArrayList<>();
            Closure f = () -> {
                seen.add(p.value().item());
                p.zeroGrad();
                Tensor loss = p.mul(p).sum();
                loss.backward();
                return loss.item();
            };
            m.step(f);
            m.step(f);
            if (form.equals("ema")) {
                assertEquals(List.of(1.0, 0.85), seen);
                assertEquals(0.765, p.value().item(), 1e-15);
            } else {
                assertEquals(1.0, seen.get(0));
                assertEquals(0.7, seen.get(1), 1e-15);
                assertEquals(0.56, p.value().item(), 1e-15);
            }
        }
    }

    @Test
    void clipsByGlobalNormAndByValue() {
        Tensor a = param(0, 0);
        Tensor b = param(0);
        Optimizer o = Optimizers.sgd(1).over(Map.of("a", a, "b", b), GlobalRules.clipByGlobalNorm(1));
        setGrad(a, 3, 0);
        setGrad(b, 4);
        o.step();
        double s = 1 / (5 + 1e-6);
        assertArrayEquals(new double[] {-3 * s, 0}, a.value().toDoubleArray(), 1e-15);
        assertEquals(-4 * s, b.value().item(), 1e-15);

        Tensor c = param(0, 0);
        assertArrayEquals(new double[] {-1, 0.5}, run(Optimizers.sgd(1).withClipValue(1).over(only(c)), c,
                new double[] {3, -0.5}), 0);
    }

    @Test
    void frozenParametersAndParametersWithoutGradientAreSkipped() {
        Tensor a = param(1);
        Tensor frozen = param(1).requiresGrad(false);
        Tensor unused = param(1);
        Optimizer o = new Optimizer(Map.of("a", a, "frozen", frozen, "unused", unused),
                Optimizers.adam(0.1).rule());
        setGrad(a, 1);
        o.step();
        assertEquals(0.9, a.value().item(), 1e-8); // eps = 1e-8 in the denominator
        assertEquals(1, frozen.value().item());
        assertEquals(1, unused.value().item());
        assertNull(o.state("unused"));
    }

    @Test
    void parameterGroupsKeepWeightDecayOffVectors() {
        Tensor w = Tensor.param(NdArray.of(new double[] {1, 1}, 1, 2));
        Tensor bias = param(1);
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w", w);
        params.put("bias", bias);
        Optimizer o = new Optimizer(Optimizer.splitByRank(params,
                Optimizers.sgd(0.1).withWeightDecay(0.5).rule(), Optimizers.sgd(0.1).rule()));
        w.zeroGrad();
        w.sum().add(bias.sum()).mul(0).backward(); // zero gradients: only decay moves anything
        o.step();
        assertArrayEquals(new double[] {0.95, 0.95}, w.value().toDoubleArray(), 1e-15);
        assertEquals(1, bias.value().item());
    }

    /** Every method at a small step, by label: the first-order ones at lr = 0.0005, the rest with their defaults. */
    static Stream<Arguments> methods() {
        double lr = 0.0005;
        Map<String, Function<Map<String, Tensor>, Minimizer>> m = new LinkedHashMap<>();
        m.put("gd", p -> Optimizers.sgd(lr).over(p));
        m.put("momentum", p -> Optimizers.momentum(lr, 0.9).over(p));
        m.put("nesterov", p -> Optimizers.nesterov(lr, 0.9).over(p));
        m.put("nesterov-lookahead", p -> Optimizers.nesterovLookahead(p, Schedules.constant(lr), 0.9, false));
        m.put("adam", p -> Optimizers.adam(lr).over(p));
        m.put("amsgrad", p -> Optimizers.amsgrad(lr).over(p));
        m.put("adamw", p -> Optimizers.adamw(lr, 0.01).over(p));
        m.put("adagrad", p -> Optimizers.adagrad(lr, 0).over(p));
        m.put("rmsprop", p -> Optimizers.rmsprop(lr).over(p));
        m.put("adadelta", p -> Optimizers.adadelta(lr).over(p));
        m.put("cg", FullBatch::cg);
        m.put("bfgs", FullBatch::bfgs);
        m.put("lbfgs", FullBatch::lbfgs);
        m.put("newton", p -> FullBatch.newton(p, Newton.Variant.PLAIN));
        m.put("damped-newton", p -> FullBatch.newton(p, Newton.Variant.DAMPED));
        m.put("saddle-free-newton", p -> FullBatch.newton(p, Newton.Variant.SADDLE_FREE));
        m.put("newton-cg", FullBatch::newtonCg);
        m.put("coordinate-descent", p -> FullBatch.coordinateDescent(p, false, 0, LineSearch.exact()));
        return m.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    /** Rosenbrock as an objective closure over p (second-order methods differentiate it twice). */
    static Closure rosenbrock(Tensor p) {
        return Objective.closure(Map.of("p", p), () -> TestFunction.rosenbrock().apply(p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void stateSavedMidRunResumesBitExactly(String name, Function<Map<String, Tensor>, Minimizer> create)
            throws IOException {
        Tensor straight = param(-1.2, 1);
        Minimizer m = create.apply(only(straight));
        for (int i = 0; i < 40; i++) {
            m.step(rosenbrock(straight));
        }

        Tensor first = param(-1.2, 1);
        Minimizer before = create.apply(only(first));
        for (int i = 0; i < 15; i++) {
            before.step(rosenbrock(first));
        }
        Path file = dir.resolve(name + ".safetensors");
        SafeTensors.save(file, before.stateDict());
        Tensor resumed = param(first.value().toDoubleArray());
        Minimizer after = create.apply(only(resumed));
        after.loadStateDict(SafeTensors.loadTensors(file));
        for (int i = 15; i < 40; i++) {
            after.step(rosenbrock(resumed));
        }
        assertArrayEquals(straight.value().toDoubleArray(), resumed.value().toDoubleArray(), 0.0, name);
    }

    @Test
    void loadingChecksNamesAndShapes() {
        Tensor p = param(1, 2);
        Minimizer m = Optimizers.adam(1e-3).over(only(p));
        m.step(() -> {
            setGrad(p, 1, 1);
            return 0;
        });
        Map<String, NdArray> state = new LinkedHashMap<>(m.stateDict());
        state.put("q/1.m", NdArray.zeros(descent.tensor.DType.FLOAT64, 2));
        state.put("p/1.v", NdArray.zeros(descent.tensor.DType.FLOAT64, 3));
        state.remove("p/1.m");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.adam(1e-3).over(only(param(1, 2))).loadStateDict(state));
        assertTrue(e.getMessage().contains("unexpected q/1.m"), e.getMessage());
        assertTrue(e.getMessage().contains("p/1.v: saved FLOAT64[3], parameter needs FLOAT64[2]"), e.getMessage());
        assertTrue(e.getMessage().contains("missing p/1.m"), e.getMessage());
    }
}
