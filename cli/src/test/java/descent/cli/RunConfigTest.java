package descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import descent.autograd.Tensor;
import descent.optim.Optimizer;
import descent.tensor.NdArray;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a run's configuration builds, and how it reads back. */
class RunConfigTest {

    static RunConfig config(String optimizer, Map<String, String> hyper, boolean decayAll) {
        return new RunConfig("mnist", new int[] {4}, "relu", "default", 0, false, "pytorch", Double.NaN, 0, "inverted", "global", optimizer,
                hyper, 16, 1, null,
                0, 0, 0, null, 0, 1, decayAll, 0, null, null, null, null, null, false, false, 0, 0, "stop", 0, 1, 1);
    }

    /** One SGD step with zero gradients: only the decay moves the parameters, θ ← (1 − lr·λ)·θ. */
    private static Map<String, double[]> stepWithZeroGradients(RunConfig c) {
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("layer.weight", Tensor.param(NdArray.of(new double[] {1, 2, 3, 4}, 2, 2)));
        params.put("layer.bias", Tensor.param(NdArray.of(new double[] {1, 1}, 2)));
        Optimizer opt = c.optimizer(params, 10);
        params.values().stream().map(t -> t.sum().mul(0)).reduce(Tensor::add).orElseThrow().backward();
        opt.step();
        Map<String, double[]> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.value().toDoubleArray()));
        return out;
    }

    @Test
    void weightDecayLeavesBiasesAloneUnlessDecayAll() {
        Map<String, String> h = Map.of("lr", "1", "weight_decay", "0.5");
        Map<String, double[]> weightsOnly = stepWithZeroGradients(config("sgd", h, false));
        assertArrayEquals(new double[] {0.5, 1, 1.5, 2}, weightsOnly.get("layer.weight"), 0);
        assertArrayEquals(new double[] {1, 1}, weightsOnly.get("layer.bias"), 0);
        Map<String, double[]> all = stepWithZeroGradients(config("sgd", h, true));
        assertArrayEquals(new double[] {0.5, 0.5}, all.get("layer.bias"), 0);

        Map<String, Tensor> shapes = Map.of("w", Tensor.param(NdArray.zeros(descent.tensor.DType.FLOAT32, 2, 2)),
                "b", Tensor.param(NdArray.zeros(descent.tensor.DType.FLOAT32, 2)));
        assertEquals(Set.of("w"), config("adamw", Map.of(), false).decayedParameters(shapes));
        assertEquals(Set.of(), config("adam", Map.of(), false).decayedParameters(shapes));
    }

    @Test
    void newerSettingsAreWrittenOnlyWhenUsedAndReadBackEitherWay() throws IOException {
        RunConfig plain = config("adam", Map.of(), false);
        String json = plain.toJson();
        assertEquals(false, json.contains("decay_all") || json.contains("accumulate") || json.contains("dropout_form"), json);
        assertEquals("inverted", RunConfig.parse(json, "test").dropoutForm());
        assertEquals(false, RunConfig.parse(json, "test").decayAll());
        RunConfig all = config("adam", Map.of(), true);
        assertEquals(true, RunConfig.parse(all.toJson(), "test").decayAll());
        assertEquals(List.of(4), java.util.Arrays.stream(RunConfig.parse(json, "test").hidden()).boxed().toList());
    }

    @Test
    void batchNormConventionsReachTheModelAndReadBack() throws IOException {
        RunConfig keras = new RunConfig("mnist", new int[] {4}, "relu", "default", 0, true, "keras", Double.NaN, 0, "inverted", "global",
                "adam", Map.of(), 16, 1, null, 0, 0, 0, null, 0, 1, false, 0, null, null, null, null, null, false, false, 0, 0, "stop", 0, 1, 1);
        descent.nn.Mlp body = (descent.nn.Mlp) keras.model(6, 3, new float[] {0}, new float[] {1}).body();
        assertEquals(descent.nn.BatchNorm1d.Momentum.keras(0.99), body.spec().batchNormMomentum());
        RunConfig back = RunConfig.parse(keras.toJson(), "test");
        assertEquals("keras", back.batchNormConvention());
        assertEquals(descent.nn.BatchNorm1d.Momentum.pytorch(0.1), config("adam", Map.of(), false).batchNormRunningStatistics());
        RunConfig bad = new RunConfig("mnist", new int[] {4}, "relu", "default", 0, true, "cumulative", 0.5, 0, "inverted", "global",
                "adam", Map.of(), 16, 1, null, 0, 0, 0, null, 0, 1, false, 0, null, null, null, null, null, false, false, 0, 0, "stop", 0, 1, 1);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, bad::batchNormRunningStatistics);
    }

    @Test
    void averageIsWrittenOnlyWhenSetAndReadBack() throws java.io.IOException {
        RunConfig off = config("adam", Map.of(), false);
        assertEquals(null, RunConfig.parse(off.toJson(), "test").average());
        org.junit.jupiter.api.Assertions.assertFalse(off.toJson().contains("average"));
        RunConfig on = new RunConfig("mnist", new int[] {4}, "relu", "default", 0, false, "pytorch", Double.NaN, 0, "inverted", "global",
                "adam", Map.of(), 16, 1, null, 0, 0, 0, null, 0, 1, false, 0, "polyak:100", null, null, null, null, false, false, 0, 0, "stop", 0, 1, 1);
        assertEquals("polyak:100", RunConfig.parse(on.toJson(), "test").average());
        assertEquals(descent.optim.Averaging.Spec.polyak(100), on.averaging());
    }

    @Test
    void pretrainIsWrittenOnlyWhenSetAndReadBack() throws java.io.IOException {
        RunConfig off = config("adam", Map.of(), false);
        assertEquals(null, RunConfig.parse(off.toJson(), "test").pretrain());
        org.junit.jupiter.api.Assertions.assertFalse(off.toJson().contains("pretrain"));
        RunConfig on = new RunConfig("mnist", new int[] {4}, "relu", "default", 0, false, "pytorch", Double.NaN, 0, "inverted", "global",
                "adam", Map.of(), 16, 1, null, 0, 0, 0, null, 0, 1, false, 0, null, "greedy:2", null, null, null, false, false, 0, 0, "stop", 0, 1, 1);
        assertEquals("greedy:2", RunConfig.parse(on.toJson(), "test").pretrain());
        assertEquals(new descent.train.GreedyPretraining.Settings(2, false), on.pretraining());
    }
}
