package descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.GradCheck;
import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.Samplers;
import descent.init.Init;
import descent.io.SafeTensors;
import descent.nn.Activation;
import descent.nn.Classifier;
import descent.nn.Linear;
import descent.nn.Losses;
import descent.nn.Mlp;
import descent.nn.Mode;
import descent.nn.Sequential;
import descent.nn.Standardize;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuxiliaryHeadsTest {

    @TempDir
    Path dir;

    private static final int[] LABELS = {0, 2, 1, 2, 0, 1};

    private static Linear linear(int in, int out, SplitMix64 rng) {
        return new Linear(in, out, true, Init.normal(0, 1), DType.FLOAT64, rng);
    }

    /** Linear 4→5, tanh, Linear 5→3, tanh, Linear 3→3, in float64. */
    private static Sequential net(SplitMix64 rng) {
        return new Sequential(linear(4, 5, rng), Activation.tanh(), linear(5, 3, rng), Activation.tanh(), linear(3, 3, rng));
    }

    private static Tensor input() {
        return Tensor.of(NdArray.randn(new SplitMix64(3), DType.FLOAT64, 6, 4));
    }

    /** L = CE(f(x)) + 0.3·CE(h₁(a₁)) + 0.5·CE(h₃(a₃)), written out by hand. */
    @Test
    void theLossAddsEachHeadsWeightedCrossEntropyOnItsLayersOutput() {
        SplitMix64 rng = new SplitMix64(1);
        Sequential model = net(rng);
        Tensor x = input();
        AuxiliaryHeads heads = AuxiliaryHeads.linear(model, x, 3, AuxiliaryHeads.Spec.parse("1,3:0.5"), rng);
        assertEquals("1:0.3,3:0.5", heads.describe());
        assertEquals(List.of("aux_heads.1.weight", "aux_heads.1.bias", "aux_heads.3.weight", "aux_heads.3.bias"),
                List.copyOf(heads.parameters().keySet()));
        assertArrayEquals(new int[] {3, 5}, heads.parameters().get("aux_heads.1.weight").shape());

        Tensor a1 = model.get(1).forward(model.get(0).forward(x, Mode.EVAL), Mode.EVAL);
        Tensor a3 = model.get(3).forward(model.get(2).forward(a1, Mode.EVAL), Mode.EVAL);
        Tensor out = model.get(4).forward(a3, Mode.EVAL);
        double expected = Losses.crossEntropy(out, LABELS).item()
                + 0.3 * Losses.crossEntropy(heads.heads().get(0).classifier().forward(a1, Mode.EVAL), LABELS).item()
                + 0.5 * Losses.crossEntropy(heads.heads().get(1).classifier().forward(a3, Mode.EVAL), LABELS).item();
        assertEquals(expected, watched(model, heads, x), 1e-12);
        // An unwatched pass, as every evaluation is, gets the main loss alone.
        assertEquals(Losses.crossEntropy(out, LABELS).item(), heads.loss(model.forward(x, Mode.EVAL), LABELS).item(), 1e-12);
    }

    private static double watched(Sequential model, AuxiliaryHeads heads, Tensor x) {
        return heads.loss(model.forward(x, Mode.EVAL, heads.observer()), LABELS).item();
    }

    /** The gradient reaching the lowest layer and the heads is the total loss's, by finite differences. */
    @Test
    void gradientsOfTheTotalLossMatchFiniteDifferences() {
        SplitMix64 rng = new SplitMix64(2);
        Sequential model = net(rng);
        Tensor x = input();
        AuxiliaryHeads heads = AuxiliaryHeads.linear(model, x, 3, AuxiliaryHeads.Spec.parse("1:0.7,3"), rng);
        Map<String, Tensor> targets = new LinkedHashMap<>(model.namedParameters());
        targets.putAll(heads.parameters());
        targets.values().forEach(Tensor::zeroGrad);
        heads.loss(model.forward(x, Mode.EVAL, heads.observer()), LABELS).backward();
        List<Tensor> tensors = new ArrayList<>(targets.values());
        List<double[]> values = new ArrayList<>();
        List<double[]> analytic = new ArrayList<>();
        for (Tensor t : tensors) {
            values.add(t.value().toDoubleArray());
            analytic.add(t.grad().value().toDoubleArray());
        }
        GradCheck.Result r = GradCheck.compare(new ArrayList<>(targets.keySet()), values, analytic, (k, v) -> {
            Tensor t = tensors.get(k);
            NdArray saved = t.value();
            t.assign(NdArray.of(v, t.shape()));
            try (var _ = GradMode.noGrad()) {
                return watched(model, heads, x);
            } finally {
                t.assign(saved);
            }
        }, 1e-6, 1e-7, 1e-5);
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void badHeadsAreClearErrors() {
        Classifier model = classifier(new SplitMix64(1));
        Tensor x = Tensor.of(TrainerTest.blobs(4, 1).batch(0, 4).inputs());
        String unknown = assertThrows(IllegalArgumentException.class, () -> AuxiliaryHeads.linear(model, x, 3,
                AuxiliaryHeads.Spec.parse("layers.9"), new SplitMix64(1))).getMessage();
        assertTrue(unknown.contains("no layer 'layers.9'") && unknown.contains("body.layers.1, body.layers.2"), unknown);
        // Names inside the MLP resolve to the classifier's paths; the same layer twice is refused.
        assertEquals("body.layers.1", AuxiliaryHeads.linear(model, x, 3, AuxiliaryHeads.Spec.parse("layers.1"),
                new SplitMix64(1)).heads().getFirst().layer());
        assertThrows(IllegalArgumentException.class, () -> AuxiliaryHeads.linear(model, x, 3,
                AuxiliaryHeads.Spec.parse("layers.1,body.layers.1"), new SplitMix64(1)));
        for (String bad : List.of("layers.1:0", "layers.1:-1", "layers.1:x", ":0.3", "layers.1:0.3:2", "layers.1,")) {
            assertThrows(IllegalArgumentException.class, () -> AuxiliaryHeads.Spec.parse(bad), bad);
        }
    }

    private static Classifier classifier(SplitMix64 rng) {
        Dataset.Moments m = TrainerTest.blobs(120, 1).moments(false);
        return new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32),
                new Mlp(Mlp.Spec.of(36, 12, 12, 3).withActivation(Activation.sigmoid()), rng));
    }

    private static final class Kill extends RuntimeException {}

    /** A trainer with heads on both hidden activations; {@code extra} callbacks after the heads. */
    private static Trainer trainer(Path checkpoint, List<Callback> extra) {
        Dataset train = TrainerTest.blobs(120, 1);
        Classifier model = classifier(new SplitMix64(5));
        AuxiliaryHeads heads = AuxiliaryHeads.linear(model, Tensor.of(train.batch(0, 2).inputs()), 3,
                AuxiliaryHeads.Spec.parse("layers.1,layers.3:0.5"), SplitMix64.derive(5, "auxiliary heads"));
        Map<String, Tensor> params = new LinkedHashMap<>(model.trainableParameters());
        params.putAll(heads.parameters());
        Optimizer opt = Optimizers.adam(0.01).over(params);
        List<Callback> callbacks = new ArrayList<>(List.of(heads));
        callbacks.addAll(extra);
        return new Trainer(Trainer.Setup.of(model, opt, new DataLoader(train, 16, false, Samplers.shuffled(), null))
                .withLoss(heads).withTest(TrainerTest.blobs(40, 2)).withEpochs(4).withSeed(7).withCallbacks(callbacks)
                .withCheckpoint(checkpoint));
    }

    private static AuxiliaryHeads heads(Trainer t) {
        return (AuxiliaryHeads) t.setup().loss();
    }

    /** The heads train, stay out of the model's state dict, live in the checkpoint, and a killed run resumes bit-exactly. */
    @Test
    void headsTrainOutsideTheModelAndResumeBitExactly() throws IOException {
        Trainer whole = trainer(dir.resolve("a.safetensors"), List.of());
        Map<String, NdArray> initialHeads = new LinkedHashMap<>();
        heads(whole).parameters().forEach((k, v) -> initialHeads.put(k, v.value().copy()));
        whole.fit();
        heads(whole).parameters().forEach((k, v) -> assertFalse(java.util.Arrays.equals(initialHeads.get(k)
                .toDoubleArray(), v.value().toDoubleArray()), k + " trained"));
        assertEquals(classifier(new SplitMix64(5)).stateDict().keySet(), whole.model().stateDict().keySet());
        Map<String, NdArray> ckpt = SafeTensors.loadTensors(dir.resolve("a.safetensors"));
        assertTrue(ckpt.containsKey("aux_heads/body.layers.1.weight") && ckpt.containsKey("aux_heads/body.layers.3.bias"),
                ckpt.keySet().toString());
        // The history's test loss is the model's own cross-entropy: no head in it.
        assertEquals(Evaluation.of(whole.model(), TrainerTest.blobs(40, 2), LossFunction.crossEntropy(), 1000).loss(),
                whole.history().getLast().testLoss(), 1e-12);

        Path cut = dir.resolve("b.safetensors");
        Callback killer = new Callback() {
            @Override
            public void onBatchEnd(Trainer t, Batch batch, double loss, int correct) {
                if (t.step() == 2 * 8 + 3) {
                    throw new Kill();
                }
            }
        };
        assertThrows(Kill.class, trainer(cut, List.of(killer))::fit);
        Trainer resumed = trainer(cut, List.of());
        resumed.resume(cut);
        assertEquals(2, resumed.epoch());
        resumed.fit();
        whole.model().stateDict().forEach((k, v) ->
                assertArrayEquals(v.toDoubleArray(), resumed.model().stateDict().get(k).toDoubleArray(), 0, k));
        heads(whole).parameters().forEach((k, v) ->
                assertArrayEquals(v.value().toDoubleArray(), heads(resumed).parameters().get(k).value().toDoubleArray(), 0, k));
        for (int i = 0; i < 4; i++) {
            assertEquals(whole.history().get(i).trainLoss(), resumed.history().get(i).trainLoss(), 0, "epoch " + i);
        }
    }
}
