package descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.nn.Activation;
import descent.nn.Classifier;
import descent.nn.Mlp;
import descent.nn.Module;
import descent.nn.Standardize;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GreedyPretrainingTest {

    @TempDir
    Path dir;

    private static final Dataset TRAIN = TrainerTest.blobs(96, 1);
    private static final Dataset TEST = TrainerTest.blobs(30, 2);

    private static Classifier network() {
        Dataset.Moments m = TRAIN.moments(false);
        return new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32),
                new Mlp(Mlp.Spec.of(36, 8, 8, 8, 3).withActivation(Activation.tanh()).withDropout(0.1),
                        new SplitMix64(5)));
    }

    private static GreedyPretraining.Optimizers momentum() {
        return (params, steps) -> Optimizers.momentum(0.05, 0.9).over(params);
    }

    /** Pretrains {@code net} (2 epochs a layer, 3 of fine-tuning) with the given stage callbacks. */
    private static GreedyPretraining.Result run(Classifier net, GreedyPretraining.Settings settings, Path checkpoint,
                                                List<Callback> extra, boolean resume) throws IOException {
        GreedyPretraining g = new GreedyPretraining(net, settings, new SplitMix64(9));
        Optimizer fine = Optimizers.adam(0.01).over(net.trainableParameters());
        Trainer.Setup setup = Trainer.Setup.of(net, fine, DataLoader.shuffled(TRAIN, 16)).withTest(TEST).withEpochs(3)
                .withSeed(42).withCheckpoint(checkpoint).withCallbacks(extra);
        return g.fit(setup, momentum(), s -> extra, resume);
    }

    private static Map<String, NdArray> copy(Module m) {
        Map<String, NdArray> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    private static void assertSame(Map<String, NdArray> a, Map<String, NdArray> b) {
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), b.get(k).toDoubleArray(), 0, k));
    }

    @Test
    void eachStageTrainsItsLayerAndHeadOnTheFrozenLayersBelow() throws IOException {
        Classifier net = network();
        List<Set<String>> trained = new ArrayList<>();
        List<Map<String, NdArray>> before = new ArrayList<>();
        List<Map<String, NdArray>> after = new ArrayList<>();
        Callback watch = new Callback() {
            @Override
            public void onTrainStart(Trainer t) {
                trained.add(t.model().trainableParameters().keySet());
                before.add(copy(net));
            }

            @Override
            public void onTrainEnd(Trainer t) {
                after.add(copy(net));
            }
        };
        GreedyPretraining.Result r = run(net, new GreedyPretraining.Settings(2, false), null, List.of(watch), false);
        assertEquals(List.of("layer 1", "layer 2", "layer 3", "fine-tune"),
                r.stages().stream().map(GreedyPretraining.Stage::name).toList());
        // Stage models: Linear, tanh, dropout per hidden layer, then the head.
        assertEquals(List.of(Set.of("body.0.weight", "body.0.bias", "body.3.weight", "body.3.bias"),
                Set.of("body.3.weight", "body.3.bias", "body.6.weight", "body.6.bias"),
                Set.of("body.layers.6.weight", "body.layers.6.bias", "body.layers.9.weight", "body.layers.9.bias"),
                net.namedParameters().keySet()), trained);
        // Stage 2 leaves layer 1 alone, moves layer 2; stage 3 leaves layers 1 and 2 alone.
        String w1 = "body.layers.0.weight", w2 = "body.layers.3.weight", w3 = "body.layers.6.weight";
        assertSame(Map.of(w1, before.get(1).get(w1)), Map.of(w1, after.get(1).get(w1)));
        assertNotEquals(before.get(1).get(w2).toDoubleArray()[0], after.get(1).get(w2).toDoubleArray()[0]);
        assertSame(Map.of(w1, before.get(2).get(w1), w2, before.get(2).get(w2)),
                Map.of(w1, after.get(2).get(w1), w2, after.get(2).get(w2)));
        assertNotEquals(before.get(2).get(w3).toDoubleArray()[0], after.get(2).get(w3).toDoubleArray()[0]);
        // Stage 1 trains its layer (the network's layer 3 waits for its own stage), fine-tuning moves everything.
        assertNotEquals(before.get(0).get(w1).toDoubleArray()[0], after.get(0).get(w1).toDoubleArray()[0]);
        assertSame(Map.of(w3, before.get(0).get(w3)), Map.of(w3, after.get(0).get(w3)));
        assertNotEquals(before.get(3).get(w1).toDoubleArray()[0], after.get(3).get(w1).toDoubleArray()[0]);
        assertTrue(net.isFrozen() == false && net.trainableParameters().size() == net.namedParameters().size());

        List<EpochMetrics> h = r.history();
        assertEquals(9, h.size());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), h.stream().map(EpochMetrics::epoch).toList());
        assertEquals(6 * 9, h.getLast().step()); // 96 examples in batches of 16: 6 steps an epoch
        assertEquals(List.of("layer 1", "layer 1", "layer 2", "layer 2", "layer 3", "layer 3", "fine-tune", "fine-tune",
                "fine-tune"), r.stageOfEpoch());
        assertTrue(h.getLast().testAccuracy() > 0.8, "learns: " + h.getLast());
    }

    @Test
    void jointStagesTrainTheLayersBelowToo() throws IOException {
        List<Set<String>> trained = new ArrayList<>();
        Callback watch = new Callback() {
            @Override
            public void onTrainStart(Trainer t) {
                trained.add(t.model().trainableParameters().keySet());
            }
        };
        run(network(), GreedyPretraining.Settings.parse("greedy:1:joint"), null, List.of(watch), false);
        assertEquals(Set.of("body.0.weight", "body.0.bias", "body.3.weight", "body.3.bias", "body.6.weight",
                "body.6.bias"), trained.get(1));
    }

    @Test
    void aSeededRunIsBitReproducible() throws IOException {
        Classifier a = network();
        Classifier b = network();
        GreedyPretraining.Result ra = run(a, new GreedyPretraining.Settings(1, false), null, List.of(), false);
        GreedyPretraining.Result rb = run(b, new GreedyPretraining.Settings(1, false), null, List.of(), false);
        assertSame(a.stateDict(), b.stateDict());
        for (int i = 0; i < ra.history().size(); i++) {
            assertEquals(ra.history().get(i).trainLoss(), rb.history().get(i).trainLoss(), 0);
        }
    }

    /** Stands in for a kill: the process dies mid-stage, after one of the stage's checkpoints. */
    private static final class Kill extends RuntimeException {}

    @Test
    void aRunKilledMidStageResumesToTheSameWeights() throws IOException {
        GreedyPretraining.Settings s = new GreedyPretraining.Settings(2, false);
        Classifier whole = network();
        run(whole, s, dir.resolve("a/checkpoint.safetensors"), List.of(), false);
        for (int stage = 2; stage <= 4; stage++) { // in a pretraining stage, in the last one, in the fine-tuning
            Path ckpt = Files.createDirectories(dir.resolve("b" + stage)).resolve("checkpoint.safetensors");
            int[] started = {0};
            int killIn = stage;
            Callback killer = new Callback() {
                @Override
                public void onTrainStart(Trainer t) {
                    started[0]++;
                }

                @Override
                public void onBatchEnd(Trainer t, Batch batch, double loss, int correct) {
                    if (started[0] == killIn && t.epoch() == 1 && t.step() == 6 + 3) { // 3 steps into its epoch 2
                        throw new Kill();
                    }
                }
            };
            assertThrows(Kill.class, () -> run(network(), s, ckpt, List.of(killer), false));
            assertTrue(Files.exists(GreedyPretraining.stageCheckpoint(ckpt, 1)));
            assertEquals(stage == 4, Files.exists(ckpt));
            Classifier resumed = network(); // a fresh process: new network, heads, optimizers
            GreedyPretraining.Result r = run(resumed, s, ckpt, List.of(), true);
            assertSame(whole.stateDict(), resumed.stateDict());
            assertEquals(9, r.history().size());
        }
    }

    @Test
    void aResumeRefusesAGapInTheStagesCheckpoints() throws IOException {
        Path ckpt = dir.resolve("checkpoint.safetensors");
        run(network(), new GreedyPretraining.Settings(1, false), ckpt, List.of(), false);
        Files.delete(GreedyPretraining.stageCheckpoint(ckpt, 2));
        IOException e = assertThrows(IOException.class, () -> run(network(), new GreedyPretraining.Settings(1, false),
                ckpt, List.of(), true));
        assertTrue(e.getMessage().contains("checkpoint-stage-2.safetensors is missing"), e.getMessage());
        assertEquals(dir.resolve("checkpoint-stage-3.safetensors"), GreedyPretraining.stageCheckpoint(ckpt, 3));
    }

    @Test
    void settingsParseTheirFormAndRefuseOthers() {
        assertEquals(new GreedyPretraining.Settings(1, false), GreedyPretraining.Settings.parse("greedy"));
        assertEquals(new GreedyPretraining.Settings(3, false), GreedyPretraining.Settings.parse("greedy:3"));
        assertEquals(new GreedyPretraining.Settings(2, true), GreedyPretraining.Settings.parse("greedy:2:joint"));
        assertEquals(new GreedyPretraining.Settings(1, true), GreedyPretraining.Settings.parse("greedy:joint"));
        assertEquals("greedy:2:joint", GreedyPretraining.Settings.parse("greedy:2:joint").toString());
        for (String bad : List.of("greedy:0", "greedy:x", "layerwise", "greedy:1:2", "greedy:joint:2", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GreedyPretraining.Settings.parse(bad), bad);
            assertTrue(e.getMessage().contains("expected greedy[:EPOCHS_PER_LAYER][:joint]"), e.getMessage());
        }
    }

    @Test
    void aNetworkWithoutHiddenLayersOrAnotherModelIsRefused() {
        Classifier shallow = new Classifier(new Standardize(new float[] {0}, new float[] {1}, DType.FLOAT32),
                new Mlp(Mlp.Spec.of(36, 3), new SplitMix64(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GreedyPretraining(shallow, new GreedyPretraining.Settings(1, false), new SplitMix64(1)));
        assertTrue(e.getMessage().contains("[36, 3] has none"), e.getMessage());
        GreedyPretraining g = new GreedyPretraining(network(), new GreedyPretraining.Settings(1, false), new SplitMix64(1));
        Classifier other = network();
        Trainer.Setup setup = Trainer.Setup.of(other, Optimizers.sgd(0.1).over(other.trainableParameters()),
                DataLoader.shuffled(TRAIN, 16));
        assertThrows(IllegalArgumentException.class, () -> g.fit(setup, momentum()));
        assertFalse(g.stages().isEmpty());
    }
}
