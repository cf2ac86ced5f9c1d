package descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.init.Init;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModuleTest {

    static Mlp mlp(long seed) {
        return new Mlp(Mlp.Spec.of(4, 8, 6, 3).withBatchNorm(true).withDropout(0.5), new SplittableRandom(seed));
    }

    @Test
    void namesAreStableDottedPathsInPyTorchsOrder() {
        assertEquals(List.of(
                "layers.0.weight",
                "layers.1.weight", "layers.1.bias", "layers.1.running_mean", "layers.1.running_var",
                "layers.1.num_batches_tracked",
                "layers.4.weight",
                "layers.5.weight", "layers.5.bias", "layers.5.running_mean", "layers.5.running_var",
                "layers.5.num_batches_tracked",
                "layers.8.weight", "layers.8.bias"), List.copyOf(mlp(1).stateDict().keySet()));
        assertEquals(List.of("layers.0.weight", "layers.1.weight", "layers.1.bias", "layers.4.weight", "layers.5.weight",
                "layers.5.bias", "layers.8.weight", "layers.8.bias"), List.copyOf(mlp(1).namedParameters().keySet()));
        assertEquals(4 * 8 + 8 + 8 + 8 * 6 + 6 + 6 + 6 * 3 + 3, mlp(1).parameterCount());
    }

    @Test
    void toStringShowsTheArchitecture() {
        Mlp m = new Mlp(Mlp.Spec.of(784, 256, 10).withDropout(0.2), new SplittableRandom(1));
        assertEquals("""
                Mlp(
                  (layers): Sequential(
                    (0): Linear(in=784, out=256, bias=true)
                    (1): ReLU()
                    (2): Dropout(p=0.2)
                    (3): Linear(in=256, out=10, bias=true)
                  )
                )""", m.toString());
        assertEquals("LeakyReLU(negative_slope=0.2)", Activation.parse("leaky-relu:0.2").toString());
    }

    /** An activation says which it is and its parameter, so that an exporter can rebuild it. */
    @Test
    void activationsNameTheirKindAndParameter() {
        assertEquals(Activation.Kind.LEAKY_RELU, Activation.parse("leaky-relu:0.2").kind());
        assertEquals(0.2, Activation.parse("leaky-relu:0.2").parameter());
        assertEquals(2.5, Activation.parse("softplus:2.5").parameter());
        assertEquals(Activation.Kind.GELU_TANH, Activation.parse("gelu-tanh").kind());
        assertEquals(Activation.Kind.GELU, Activation.gelu().kind());
        assertTrue(Double.isNaN(Activation.relu().parameter()));
    }

    @Test
    void biasBeforeBatchNormOnlyWhenAsked() {
        Mlp with = new Mlp(Mlp.Spec.of(4, 8, 3).withBatchNorm(true).withBiasBeforeBatchNorm(true), new SplittableRandom(1));
        assertNotNull(with.linearLayers().get(0).bias());
        assertNull(mlp(1).linearLayers().get(0).bias());
        assertNotNull(mlp(1).linearLayers().get(2).bias(), "the output layer keeps its bias");
    }

    @Test
    void theSameSeedBuildsTheSameModel() {
        Map<String, NdArray> a = mlp(7).stateDict();
        Map<String, NdArray> b = mlp(7).stateDict();
        a.forEach((n, v) -> assertArrayEquals(v.toFloatArray(), b.get(n).toFloatArray(), n));
        assertFalse(java.util.Arrays.equals(a.get("layers.0.weight").toFloatArray(),
                mlp(8).stateDict().get("layers.0.weight").toFloatArray()));
    }

    @Test
    void frozenParametersGetNoGradientAndCanBeUnfrozen() {
        Mlp m = mlp(2);
        m.submodule("layers.0").freeze();
        m.parameter("layers.8.bias").requiresGrad(false);
        assertEquals(List.of("layers.1.weight", "layers.1.bias", "layers.4.weight", "layers.5.weight", "layers.5.bias",
                "layers.8.weight"), List.copyOf(m.trainableParameters().keySet()));
        Tensor x = Tensor.randn(new SplittableRandom(3), DType.FLOAT32, 5, 4);
        Losses.crossEntropy(m.forward(x, Mode.train(new SplittableRandom(4))), new int[] {0, 1, 2, 0, 1}).backward();
        assertNull(m.parameter("layers.0.weight").grad());
        assertNull(m.parameter("layers.8.bias").grad());
        assertNotNull(m.parameter("layers.4.weight").grad());
        assertTrue(m.submodule("layers.0").isFrozen());
        m.unfreeze();
        assertEquals(m.namedParameters().keySet(), m.trainableParameters().keySet());
        m.zeroGrad();
        assertNull(m.parameter("layers.4.weight").grad());
    }

    @Test
    void strictLoadingReportsEveryProblemAndChangesNothing() {
        Mlp m = mlp(1);
        Map<String, NdArray> state = new LinkedHashMap<>(mlp(2).stateDict());
        state.remove("layers.8.bias");
        state.put("layers.0.weight", NdArray.zeros(DType.FLOAT32, 4, 8));
        state.put("layers.1.bias", NdArray.zeros(DType.FLOAT64, 8));
        state.put("extra", NdArray.zeros(DType.FLOAT32, 1));
        float[] before = m.parameter("layers.4.weight").value().toFloatArray();
        StateDictException e = assertThrows(StateDictException.class, () -> m.loadStateDict(state, true));
        assertEquals(List.of("layers.8.bias"), e.result().missing());
        assertEquals(List.of("extra"), e.result().unexpected());
        assertEquals(List.of("layers.0.weight: state dict has FLOAT32[4, 8], module has FLOAT32[8, 4]",
                "layers.1.bias: state dict has FLOAT64[8], module has FLOAT32[8]"), e.result().mismatched());
        assertTrue(e.getMessage().contains("missing from the state dict: layers.8.bias"), e.getMessage());
        assertArrayEquals(before, m.parameter("layers.4.weight").value().toFloatArray());

        LoadResult r = m.loadStateDict(state, false);
        assertFalse(r.isExact());
        assertArrayEquals(state.get("layers.4.weight").toFloatArray(), m.parameter("layers.4.weight").value().toFloatArray());
    }

    @Test
    void loadingCopiesTheArrays() {
        Mlp a = mlp(1);
        Mlp b = mlp(2);
        assertTrue(a.loadStateDict(b.stateDict(), true).isExact());
        b.stateDict().forEach((n, v) -> assertArrayEquals(v.toFloatArray(), a.stateDict().get(n).toFloatArray(), n));
        assertFalse(a.stateDict().get("layers.0.weight").sharesStorage(b.stateDict().get("layers.0.weight")));
    }

    @Test
    void dropoutIsInvertedSeededAndOffInEvaluation() {
        Dropout d = new Dropout(0.25);
        Tensor x = Tensor.ones(DType.FLOAT64, 100, 100);
        double[] y = d.forward(x, Mode.train(new SplittableRandom(5))).value().toDoubleArray();
        int kept = 0;
        for (double v : y) {
            assertTrue(v == 0 || v == 1 / 0.75, "value " + v);
            kept += v == 0 ? 0 : 1;
        }
        assertEquals(0.75, kept / 10000.0, 0.015);
        assertArrayEquals(y, d.forward(x, Mode.train(new SplittableRandom(5))).value().toDoubleArray());
        assertSame(x, d.forward(x, Mode.EVAL));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.forward(x, Mode.train(null)));
        assertEquals("Dropout draws random masks in training: pass Mode.train(rng)", e.getMessage());
    }

    @Test
    void layersNameBothShapesOnMismatch() {
        Linear l = new Linear(3, 2, new SplittableRandom(1));
        ShapeException e = assertThrows(ShapeException.class, () -> l.forward(Tensor.zeros(DType.FLOAT32, 4, 5), Mode.EVAL));
        assertEquals("Linear(in=3, out=2): input shape [4, 5] does not end in 3 features", e.getMessage());
        Residual r = new Residual(new Linear(3, 2, new SplittableRandom(1)));
        assertThrows(ShapeException.class, () -> r.forward(Tensor.zeros(DType.FLOAT32, 4, 3), Mode.EVAL));
    }

    @Test
    void residualAddsTheIdentity() {
        Linear zero = new Linear(3, 3, true, Init.zeros(), DType.FLOAT64, new SplittableRandom(1));
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 1, 3);
        assertArrayEquals(x.value().toDoubleArray(), new Residual(zero).forward(x, Mode.EVAL).value().toDoubleArray());
    }

    @Test
    void anObserverSeesEveryModuleInnermostFirstUnderItsRegisteredName() {
        Classifier model = new Classifier(new Standardize(new float[] {0, 1, 2}, new float[] {1, 2, 3}, DType.FLOAT32),
                new Mlp(Mlp.Spec.of(3, 4, 2), new SplittableRandom(2)));
        Tensor x = Tensor.randn(new SplittableRandom(3), DType.FLOAT32, 5, 3);
        List<String> names = new ArrayList<>();
        Tensor observed = model.forward(x, Mode.EVAL, (name, module, output) -> names.add(name));
        assertEquals(List.of("normalize", "body.layers.0", "body.layers.1", "body.layers.2", "body.layers", "body", ""),
                names);
        assertArrayEquals(model.forward(x, Mode.EVAL).value().toDoubleArray(), observed.value().toDoubleArray());
    }

    /** Keeps the mode it was given. */
    private static final class ModeSpy extends Module {
        Mode seen;

        @Override
        public Tensor forward(Tensor x, Mode mode) {
            seen = mode;
            return x;
        }
    }

    @Test
    void anUnobservedModePassesStraightThroughAndAnObservedOneCarriesThePath() {
        ModeSpy spy = new ModeSpy();
        Residual model = new Residual(new Sequential(Activation.relu(), spy));
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 1, 3);
        Mode mode = Mode.train(new SplittableRandom(1));
        model.forward(x, mode);
        assertSame(mode, spy.seen);
        model.forward(x, mode, (name, module, output) -> {});
        assertEquals("body.1", spy.seen.path());
        assertSame(mode.rng(), spy.seen.rng());
        assertTrue(spy.seen.training());
    }

    @Test
    void layerNormNormalizesEachExample() {
        LayerNorm ln = new LayerNorm(4, DType.FLOAT64);
        double[] y = ln.forward(Tensor.of(new double[] {1, 2, 3, 4, 10, 10, 10, 14}, 2, 4), Mode.EVAL).value().toDoubleArray();
        double s = Math.sqrt(1.25 + 1e-5);
        double t = Math.sqrt(3 + 1e-5);
        assertArrayEquals(new double[] {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s, -1 / t, -1 / t, -1 / t, 3 / t}, y, 1e-12);
    }

    @Test
    void memberNamesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                registerParameter("a.b", NdArray.zeros(DType.FLOAT32, 1));
            }

            @Override
            public Tensor forward(Tensor x, Mode mode) {
                return x;
            }
        });
    }
}
