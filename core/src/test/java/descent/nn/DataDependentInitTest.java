package descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.init.FanMode;
import descent.init.Init;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DataDependentInitTest {

    /** Inputs with a non-zero mean and features of different scales, so that no layer starts at unit std. */
    private static Tensor batch(int rows, int features, long seed, DType dtype) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[rows * features];
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.5 + (1 + i % features) * 0.3 * rng.nextGaussian();
        }
        return Tensor.of(NdArray.of(dtype, v, rows, features));
    }

    /** The std of every Linear layer's output on {@code x}, in order. */
    private static List<Double> linearStds(Module model, Tensor x) {
        Map<String, Double> out = new LinkedHashMap<>();
        model.forward(x, Mode.EVAL, (name, module, output) -> {
            if (module instanceof Linear) {
                double[] v = output.value().toDoubleArray();
                double mean = java.util.Arrays.stream(v).average().orElseThrow();
                out.put(name, Math.sqrt(java.util.Arrays.stream(v).map(a -> (a - mean) * (a - mean)).sum() / v.length));
            }
        });
        return new ArrayList<>(out.values());
    }

    @Test
    void everyLinearLayerEndsAtTheTargetStdOnTheBatchAndRoughlyOnAnother() {
        for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
            Mlp mlp = new Mlp(Mlp.Spec.of(12, 32, 24, 5).withActivation(Activation.tanh())
                    .withInit(Init.normal(0, 0.02)).withDtype(dtype), new SplittableRandom(3));
            Tensor x = batch(256, 12, 1, dtype);
            List<Double> start = linearStds(mlp, x);
            assertTrue(start.getLast() < 1e-2, "the small init shrinks the signal: " + start);
            DataDependentInit.Report report = DataDependentInit.apply(mlp, x, DataDependentInit.Settings.unitStd());
            assertEquals(List.of("layers.0", "layers.2", "layers.4"), report.layers().stream()
                    .map(DataDependentInit.Layer::name).toList());
            assertTrue(report.converged(), report.toString());
            List<Double> stds = linearStds(mlp, x);
            for (int i = 0; i < stds.size(); i++) {
                DataDependentInit.Layer l = report.layers().get(i);
                assertEquals(1, stds.get(i), 0.05, dtype + " " + l);
                assertEquals(stds.get(i), l.stdAfter(), 1e-6, "the report measures the final weights");
                assertEquals(start.get(i), l.stdBefore(), 1e-6 * start.get(i), "the model as given");
                assertEquals(1, l.iterations(), "rescaling W and b together is exact: " + l);
            }
            for (double s : linearStds(mlp, batch(256, 12, 2, dtype))) {
                assertEquals(1, s, 0.15, "another batch from the same distribution");
            }
            assertEquals(dtype, mlp.linearLayers().getFirst().weight().dtype());
        }
    }

    @Test
    void rescuesTheFiftyLayerReluNetworkWithVarianceOneOverN() {
        List<Module> layers = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(5);
        int width = 32;
        for (int i = 0; i < 50; i++) {
            layers.add(new Linear(i == 0 ? 12 : width, i == 49 ? 4 : width, true, Init.normalVariance(1, FanMode.FAN_IN),
                    DType.FLOAT32, rng));
            if (i < 49) {
                layers.add(Activation.relu());
            }
        }
        Sequential net = new Sequential(layers);
        Tensor x = batch(128, 12, 7, DType.FLOAT32);
        double last = linearStds(net, x).getLast();
        assertTrue(last < 1e-3, "vanishing: " + last);
        DataDependentInit.Report report = DataDependentInit.apply(net, x, DataDependentInit.Settings.unitStd());
        assertEquals(50, report.layers().size());
        assertEquals(last, report.last().stdBefore(), 1e-3 * last, "measured before it was touched");
        assertEquals(1, report.last().stdAfter(), 0.05);
        assertEquals(1, linearStds(net, x).getLast(), 0.05);
        assertTrue(report.converged());
    }

    @Test
    void aSecondApplicationChangesNothingAndTheSameInputsGiveTheSameWeights() {
        Mlp a = new Mlp(Mlp.Spec.of(12, 16, 3), new SplittableRandom(9));
        Mlp b = new Mlp(Mlp.Spec.of(12, 16, 3), new SplittableRandom(9));
        Tensor x = batch(64, 12, 4, DType.FLOAT32);
        DataDependentInit.Settings s = new DataDependentInit.Settings(0.5, 0.01, 5);
        DataDependentInit.apply(a, x, s);
        DataDependentInit.apply(b, x, s);
        Map<String, NdArray> once = new LinkedHashMap<>();
        a.stateDict().forEach((k, v) -> once.put(k, v.copy()));
        once.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), b.stateDict().get(k).toDoubleArray(), 0, k));
        DataDependentInit.Report again = DataDependentInit.apply(a, x, s);
        assertTrue(again.layers().stream().allMatch(l -> l.iterations() == 0), again.toString());
        assertEquals(0.5, again.last().stdAfter(), 0.005, "the target is honoured");
        once.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), a.stateDict().get(k).toDoubleArray(), 0, k));
    }

    @Test
    void insideAClassifierTheLayersAreNamedByTheirPath() {
        Classifier model = new Classifier(new Standardize(new float[] {0.5f}, new float[] {2f}, DType.FLOAT32),
                new Mlp(Mlp.Spec.of(12, 8, 3).withInit(Init.normal(0, 0.01)), new SplittableRandom(2)));
        DataDependentInit.Report r = DataDependentInit.apply(model, batch(32, 12, 3, DType.FLOAT32),
                DataDependentInit.Settings.unitStd());
        assertEquals(List.of("body.layers.0", "body.layers.2"), r.layers().stream().map(DataDependentInit.Layer::name).toList());
        assertTrue(r.converged());
    }

    @Test
    void aToleranceRoundingCannotMeetEndsAfterTheIterationsAllowed() {
        // Tolerance 0: float32 rounding of (sW)x + sb may leave a layer a few ulps off after any number of rescalings.
        Mlp mlp = new Mlp(Mlp.Spec.of(12, 16, 16, 3).withInit(Init.normal(0, 0.01)), new SplittableRandom(1));
        DataDependentInit.Report r = DataDependentInit.apply(mlp, batch(32, 12, 3, DType.FLOAT32),
                new DataDependentInit.Settings(1, 0, 2));
        for (DataDependentInit.Layer l : r.layers()) {
            assertTrue(l.iterations() >= 1 && l.iterations() <= 2, l.toString());
            assertEquals(1, l.stdAfter(), 1e-5, l.toString());
            assertEquals(l.stdAfter() == 1, r.withinTolerance(l), l.toString());
        }
    }

    @Test
    void whatItCannotHandleIsRefusedWithTheReason() {
        Tensor x = batch(8, 4, 1, DType.FLOAT32);
        var s = DataDependentInit.Settings.unitStd();
        String none = assertThrows(IllegalArgumentException.class,
                () -> DataDependentInit.apply(new Sequential(Activation.relu(), Activation.tanh()), x, s)).getMessage();
        assertTrue(none.contains("has no Linear layer"), none);
        String empty = assertThrows(IllegalArgumentException.class, () -> DataDependentInit.apply(
                new Linear(4, 2, new SplittableRandom(1)), Tensor.of(NdArray.zeros(DType.FLOAT32, 0, 4)), s)).getMessage();
        assertTrue(empty.contains("non-empty batch") && empty.contains("[0, 4]"), empty);
        Sequential zeros = new Sequential(new Linear(4, 3, true, Init.zeros(), DType.FLOAT32, new SplittableRandom(1)));
        String constant = assertThrows(IllegalArgumentException.class, () -> DataDependentInit.apply(zeros, x, s))
                .getMessage();
        assertTrue(constant.contains("'0'") && constant.contains("std 0"), constant);
        Sequential frozen = new Sequential(new Linear(4, 3, true, Init.normal(0, 0.01), DType.FLOAT32,
                new SplittableRandom(1)));
        frozen.freeze();
        String f = assertThrows(IllegalArgumentException.class, () -> DataDependentInit.apply(frozen, x, s)).getMessage();
        assertTrue(f.contains("is frozen"), f);
        assertThrows(IllegalArgumentException.class, () -> new DataDependentInit.Settings(0, 0.1, 3));
        assertThrows(IllegalArgumentException.class, () -> new DataDependentInit.Settings(1, 0.1, 0));
    }
}
