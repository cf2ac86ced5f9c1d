package descent.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.init.Init;
import descent.nn.Activation;
import descent.nn.BatchNorm1d;
import descent.nn.Classifier;
import descent.nn.Dropout;
import descent.nn.Flatten;
import descent.nn.LayerNorm;
import descent.nn.Linear;
import descent.nn.Mlp;
import descent.nn.Mode;
import descent.nn.Module;
import descent.nn.Residual;
import descent.nn.Sequential;
import descent.nn.Standardize;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.SplitMix64;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every layer kind a run can hold, exported and run in ONNX Runtime on MNIST-shaped inputs
 * [N, 1, 28, 28], gives Descent's evaluation logits to 1e-5 relative, at two batch sizes (the
 * batch dimension is dynamic).
 */
class OnnxExportTest {

    private static final int[] IMAGE = {1, 28, 28};
    private static final double TOLERANCE = 1e-5;
    private static final Map<String, Double> PARITY = new LinkedHashMap<>();

    /** Flatten, Linear(784, 24), the layers given, Linear(24, 10): logits for MNIST-shaped images. */
    private static Module around(Module... hidden) {
        var rng = SplitMix64.derive(7, "around");
        List<Module> layers = new java.util.ArrayList<>(List.of(new Flatten(), new Linear(784, 24, rng)));
        layers.addAll(List.of(hidden));
        layers.add(new Linear(24, 10, rng));
        return new Sequential(layers);
    }

    /**
     * Makes the normalization layers' statistics and affine parameters non-trivial (they start at
     * 0 and 1, where a wrong mapping could hide): random running means, positive running
     * variances, γ near 1 and β near 0.
     */
    private static <M extends Module> M perturbed(M model) {
        SplittableRandom rng = new SplittableRandom(11);
        Map<String, NdArray> state = new LinkedHashMap<>();
        model.stateDict().forEach((name, v) -> {
            boolean vector = v.rank() == 1;
            if (!name.endsWith("running_var") && !name.endsWith("running_mean")
                    && !(vector && (name.endsWith("weight") || name.endsWith("bias")))) {
                state.put(name, v); // Linear weights, counts: as they are
                return;
            }
            double[] d = new double[v.size()];
            for (int i = 0; i < d.length; i++) {
                double n = rng.nextGaussian();
                d[i] = name.endsWith("running_var") ? 0.5 + 2 * rng.nextDouble()
                        : name.endsWith("weight") ? 1 + 0.2 * n : 0.3 * n;
            }
            state.put(name, NdArray.of(v.dtype(), d, v.shape()));
        });
        model.loadStateDict(state, true);
        return model;
    }

    static Stream<Arguments> layerKinds() {
        Map<String, Supplier<Module>> kinds = new LinkedHashMap<>();
        kinds.put("Flatten+Linear", () -> new Sequential(new Flatten(), new Linear(784, 10, SplitMix64.derive(1, "l"))));
        kinds.put("Linear without bias", () -> new Sequential(new Flatten(),
                new Linear(784, 10, false, Init.fanInUniform(), DType.FLOAT32, SplitMix64.derive(2, "l"))));
        kinds.put("Linear on [N, 1, 28, 28] (MatMul)", () -> new Sequential(
                new Linear(28, 5, SplitMix64.derive(3, "l")), new Flatten(), new Linear(140, 10, SplitMix64.derive(4, "l"))));
        for (String a : List.of("relu", "leaky-relu:0.1", "sigmoid", "tanh", "gelu", "gelu-tanh", "softplus",
                "softplus:2.5", "identity")) {
            kinds.put("Activation " + a, () -> around(Activation.parse(a)));
        }
        kinds.put("BatchNorm1d [N, C]", () -> perturbed(around(new BatchNorm1d(24, DType.FLOAT32))));
        kinds.put("BatchNorm1d [N, C, L], no affine", () -> perturbed(new Sequential(new Flatten(),
                new Linear(784, 24, SplitMix64.derive(5, "l")),
                new BatchNorm1d(24, 1e-3, BatchNorm1d.Momentum.pytorch(0.1), false, DType.FLOAT32),
                new Linear(24, 10, SplitMix64.derive(6, "l")))));
        kinds.put("Dropout inverted (removed)", () -> around(new Dropout(0.5), Activation.relu()));
        kinds.put("Dropout scale-at-test (Mul by q)", () -> around(Activation.relu(),
                new Dropout(0.3, Dropout.Form.SCALE_AT_TEST)));
        kinds.put("Residual", () -> around(Activation.tanh(), Residual.bottleneck(24, 8, Activation.relu(),
                Init.fanInUniform(), DType.FLOAT32, SplitMix64.derive(8, "r"))));
        kinds.put("LayerNorm [features]", () -> perturbed(around(new LayerNorm(24, DType.FLOAT32))));
        kinds.put("LayerNorm [28, 28], no affine", () -> new Sequential(
                new LayerNorm(new int[] {28, 28}, 1e-5, false, DType.FLOAT32), new Flatten(),
                new Linear(784, 10, SplitMix64.derive(9, "l"))));
        kinds.put("Standardize global", () -> new Sequential(new Flatten(),
                new Standardize(new float[] {0.13f}, new float[] {0.31f}, DType.FLOAT32),
                new Linear(784, 10, SplitMix64.derive(10, "l"))));
        kinds.put("Standardize per feature", () -> new Sequential(new Flatten(), perFeature(),
                new Linear(784, 10, SplitMix64.derive(10, "l"))));
        kinds.put("Classifier(Standardize, Mlp with BatchNorm1d, GELU, Dropout)", () -> perturbed(new Classifier(
                perFeature(), new Mlp(Mlp.Spec.of(784, 32, 16, 10).withActivation(Activation.gelu()).withBatchNorm(true)
                        .withDropout(0.2).withDropoutForm(Dropout.Form.SCALE_AT_TEST), SplitMix64.derive(12, "mlp")))));
        kinds.put("Mlp float64 (written as float32)", () -> new Sequential(new Flatten(), new Mlp(
                Mlp.Spec.of(784, 16, 10).withDtype(DType.FLOAT64), SplitMix64.derive(13, "mlp"))));
        return kinds.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    private static Standardize perFeature() {
        SplittableRandom rng = new SplittableRandom(3);
        float[] mean = new float[784];
        float[] std = new float[784];
        for (int i = 0; i < 784; i++) {
            mean[i] = (float) (0.1 + 0.2 * rng.nextDouble());
            std[i] = (float) (0.2 + rng.nextDouble());
        }
        return new Standardize(mean, std, DType.FLOAT32);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layerKinds")
    void exportedModelGivesDescentsLogits(String kind, Supplier<Module> make) throws Exception {
        Module model = make.get();
        byte[] onnx = OnnxExport.model(model, IMAGE).toByteArray();
        double worst = 0;
        for (int n : new int[] {5, 1}) {
            float[] x = images(n, 100 + n);
            float[] expected = OnnxRuntimeCheck.descent(model, x, n, 1, 28, 28);
            float[] actual = OnnxRuntimeCheck.run(onnx, x, n, 1, 28, 28);
            assertEquals(n * 10, actual.length, kind + ": logits [N, 10]");
            worst = Math.max(worst, OnnxRuntimeCheck.relativeError(actual, expected));
        }
        PARITY.put(kind, worst);
        assertTrue(worst <= TOLERANCE, kind + ": max relative error " + worst);
    }

    /** The [N, C, L] form of BatchNorm1d: input [N, 28, 28], normalized over its 28 channels. */
    @Test
    void batchNormOverChannelsAndLength() throws Exception {
        Module model = perturbed(new Sequential(new BatchNorm1d(28, DType.FLOAT32), new Flatten(),
                new Linear(784, 10, SplitMix64.derive(14, "l"))));
        byte[] onnx = OnnxExport.model(model, 28, 28).toByteArray();
        float[] x = images(4, 9);
        double error = OnnxRuntimeCheck.relativeError(OnnxRuntimeCheck.run(onnx, x, 4, 28, 28),
                OnnxRuntimeCheck.descent(model, x, 4, 28, 28));
        PARITY.put("BatchNorm1d [N, C, L] on [N, 28, 28]", error);
        assertTrue(error <= TOLERANCE, "max relative error " + error);
    }

    @Test
    void writesOpset17Float32WithADynamicBatchAndNamedInputAndOutput() throws Exception {
        ModelProto m = ModelProto.parseFrom(OnnxExport.model(around(Activation.relu()), IMAGE).toByteArray());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        assertEquals("", m.getOpsetImport(0).getDomain());
        var input = m.getGraph().getInput(0);
        assertEquals("input", input.getName());
        assertEquals(1, input.getType().getTensorType().getElemType()); // FLOAT
        var dims = input.getType().getTensorType().getShape().getDimList();
        assertEquals("N", dims.get(0).getDimParam());
        assertEquals(List.of(1L, 28L, 28L), dims.subList(1, 4).stream().map(d -> d.getDimValue()).toList());
        var output = m.getGraph().getOutput(0);
        assertEquals("logits", output.getName());
        assertEquals("N", output.getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(10, output.getType().getTensorType().getShape().getDim(1).getDimValue());
        // Initializers keep the state dict's names, so a reader can find each weight.
        assertTrue(m.getGraph().getInitializerList().stream().anyMatch(t -> t.getName().equals("1.weight")));
    }

    @Test
    void aModelWithoutLayersIsTheIdentity() throws Exception {
        byte[] onnx = OnnxExport.model(new Sequential(new Dropout(0.5)), 10).toByteArray();
        float[] x = {1, -2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(0, OnnxRuntimeCheck.relativeError(OnnxRuntimeCheck.run(onnx, x, 1, 10), x));
    }

    @Test
    void aModuleWithoutAnOnnxFormIsNamedWithTheReasonAndNoFileIsWritten(@TempDir Path dir) {
        Path file = dir.resolve("model.onnx");
        var e = assertThrows(OnnxExportException.class,
                () -> OnnxExport.write(new Sequential(new Flatten(), new Unflatten28()), IMAGE, file));
        assertTrue(e.getMessage().startsWith("cannot export module '1' (Unflatten28) to ONNX: "), e.getMessage());
        assertTrue(e.getMessage().contains("has no ONNX form"), e.getMessage());
        assertFalse(Files.exists(file));
        var whole = assertThrows(OnnxExportException.class, () -> OnnxExport.model(new Unflatten28(), IMAGE));
        assertTrue(whole.getMessage().startsWith("cannot export the model (Unflatten28)"), whole.getMessage());
    }

    @Test
    void aShapeThatDoesNotFitIsNamedWithTheModule() {
        Module model = new Classifier(new Standardize(new float[] {0}, new float[] {1}, DType.FLOAT32),
                new Mlp(Mlp.Spec.of(100, 10), SplitMix64.derive(1, "mlp")));
        var e = assertThrows(OnnxExportException.class, () -> OnnxExport.model(model, IMAGE));
        assertTrue(e.getMessage().contains("module 'body.layers.0' (Linear)"), e.getMessage());
        assertTrue(e.getMessage().contains("input shape [N, 784] does not end in 100 features"), e.getMessage());
    }

    @AfterAll
    static void printParity() {
        System.out.println("ONNX Runtime vs Descent, max |onnx - descent| / max |descent| per layer kind:");
        PARITY.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-62s %.2e%n", k, v));
    }

    private static float[] images(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        return x;
    }

    /** A layer ONNX export does not know: [N, 784] to [N, 28, 28]. */
    private static final class Unflatten28 extends Module {
        @Override
        public Tensor forward(Tensor x, Mode mode) {
            return x.reshape(x.dim(0), 28, 28);
        }
    }
}
