package descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.data.Augmentation;
import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.Samplers;
import descent.io.SafeTensors;
import descent.nn.Classifier;
import descent.nn.Linear;
import descent.nn.Mlp;
import descent.nn.Mode;
import descent.nn.Module;
import descent.nn.Sequential;
import descent.nn.Standardize;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.optim.Schedules;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    @TempDir
    Path dir;

    /** Two Gaussian blobs per class on 6×6 "images": learnable in a few epochs. */
    static Dataset blobs(int n, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        float[] x = new float[n * 36];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(3);
            for (int j = 0; j < 36; j++) {
                x[i * 36 + j] = (float) (rng.nextGaussian() * 0.5 + (j % 3 == y[i] ? 1 : 0));
            }
        }
        return new Dataset("blobs", x, new int[] {6, 6}, y, 3);
    }

    /** A run with dropout, augmentation, a schedule and early stopping: every generator is used. */
    private Trainer trainer(Path checkpoint, List<Callback> extra) {
        Dataset train = blobs(120, 1);
        Dataset val = blobs(40, 2);
        Dataset.Moments m = train.moments(false);
        Classifier model = new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32),
                new Mlp(Mlp.Spec.of(36, 16, 3).withDropout(0.2).withBatchNorm(true), new SplitMix64(5)));
        Optimizer opt = Optimizers.adam(0.01).withSchedule(Schedules.cosine(0.01, 0, 60))
                .over(model.trainableParameters());
        DataLoader loader = new DataLoader(train, 16, false, Samplers.shuffled(),
                Augmentation.parse("shift=1,rotation=5", new int[] {6, 6}));
        List<Callback> callbacks = new ArrayList<>(extra);
        callbacks.add(new EarlyStopping(10, 0));
        return new Trainer(Trainer.Setup.of(model, opt, loader).withValidation(val).withTest(val).withEpochs(6)
                .withSeed(42).withCallbacks(callbacks).withCheckpoint(checkpoint));
    }

    private static void assertSameState(Module a, Module b) {
        Map<String, NdArray> sa = a.stateDict();
        Map<String, NdArray> sb = b.stateDict();
        assertEquals(sa.keySet(), sb.keySet());
        sa.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), sb.get(k).toDoubleArray(), 0, k));
    }

    @Test
    void sameSeedGivesIdenticalWeightsAndMetrics() throws IOException {
        Trainer a = trainer(null, List.of());
        Trainer b = trainer(null, List.of());
        a.fit();
        b.fit();
        assertSameState(a.model(), b.model());
        for (int i = 0; i < a.history().size(); i++) {
            EpochMetrics x = a.history().get(i), y = b.history().get(i);
            assertEquals(x.trainLoss(), y.trainLoss(), 0);
            assertEquals(x.validationLoss(), y.validationLoss(), 0);
        }
        assertTrue(a.history().getLast().validationAccuracy() > 0.8, "learns: " + a.history().getLast());
    }

    /** Stands in for a kill: the process dies mid-epoch, after the previous epoch's checkpoint. */
    private static final class Kill extends RuntimeException {}

    @Test
    void resumeAfterAKillMidEpochIsBitExact() throws IOException {
        Trainer uninterrupted = trainer(dir.resolve("a.safetensors"), List.of());
        uninterrupted.fit();

        Path ckpt = dir.resolve("b.safetensors");
        Callback killer = new Callback() {
            @Override
            public void onBatchEnd(Trainer t, Batch batch, double loss, int correct) {
                if (t.epoch() == 3 && t.step() == 3 * 8 + 4) { // four steps into epoch 4
                    throw new Kill();
                }
            }
        };
        Trainer killed = trainer(ckpt, List.of(killer));
        assertThrows(Kill.class, killed::fit);
        assertTrue(Files.exists(ckpt));

        Trainer resumed = trainer(ckpt, List.of()); // a fresh process: new model, optimizer, generators
        resumed.resume(ckpt);
        assertEquals(3, resumed.epoch());
        assertEquals(24, resumed.step());
        resumed.fit();
        assertSameState(uninterrupted.model(), resumed.model());
        assertEquals(uninterrupted.optimizer().stateDict().keySet(), resumed.optimizer().stateDict().keySet());
        uninterrupted.optimizer().stateDict().forEach((k, v) ->
                assertArrayEquals(v.toDoubleArray(), resumed.optimizer().stateDict().get(k).toDoubleArray(), 0, k));
        assertEquals(uninterrupted.history().size(), resumed.history().size());
        for (int i = 0; i < resumed.history().size(); i++) {
            assertEquals(uninterrupted.history().get(i).trainLoss(), resumed.history().get(i).trainLoss(), 0, "epoch " + i);
        }
    }

    /**
     * The run of {@link #trainer} with iterate averaging and gradient accumulation over 3 minibatches
     * too (so a checkpoint can fall between an accumulation's minibatches), checkpointing every
     * {@code every} steps inside the epochs.
     */
    private Trainer midEpochTrainer(Path checkpoint, List<Callback> extra, CheckpointInterval every) {
        Trainer t = trainer(checkpoint, extra);
        Trainer.Setup s = t.setup();
        Optimizer opt = Optimizers.adam(0.01).withSchedule(Schedules.cosine(0.01, 0, 20))
                .over(s.model().trainableParameters(), descent.optim.GlobalRules.accumulate(3));
        return new Trainer(Trainer.Setup.of(s.model(), opt, s.train()).withValidation(s.validation())
                .withTest(s.test()).withEpochs(s.epochs()).withSeed(s.seed()).withCallbacks(s.callbacks())
                .withCheckpoint(checkpoint).withAveraging(descent.optim.Averaging.Spec.parse("ema:0.9"))
                .withCheckpointEvery(every));
    }

    @Test
    void stepCheckpointsResumeBitExactlyFromInsideAnEpoch() throws IOException {
        Trainer uninterrupted = midEpochTrainer(null, List.of(), CheckpointInterval.EPOCHS);
        uninterrupted.fit();
        // 8 batches an epoch; a checkpoint every 3 steps: killed at steps 5, 13 and 29 (inside epochs 1, 2 and 4)
        // the run resumes from steps 3, 12 and 27, inside an accumulation for the first and last.
        for (long killAt : new long[] {5, 13, 29}) {
            Path ckpt = dir.resolve("mid-" + killAt + ".safetensors");
            Callback killer = new Callback() {
                @Override
                public void onBatchEnd(Trainer t, Batch batch, double loss, int correct) {
                    if (t.step() == killAt) {
                        throw new Kill();
                    }
                }
            };
            Trainer killed = midEpochTrainer(ckpt, List.of(killer), new CheckpointInterval(3, 0));
            assertThrows(Kill.class, killed::fit);
            Trainer resumed = midEpochTrainer(ckpt, List.of(), new CheckpointInterval(3, 0));
            resumed.resume(ckpt);
            assertEquals(killAt / 3 * 3, resumed.step(), "resumed from the last step checkpoint before the kill");
            assertEquals(Checkpoint.MID_EPOCH_FORMAT, SafeTensors.load(ckpt).metadata().get("format"));
            resumed.fit();
            assertSameState(uninterrupted.model(), resumed.model());
            uninterrupted.optimizer().stateDict().forEach((k, v) -> assertArrayEquals(v.toDoubleArray(),
                    resumed.optimizer().stateDict().get(k).toDoubleArray(), 0, k));
            for (int i = 0; i < resumed.history().size(); i++) {
                EpochMetrics x = uninterrupted.history().get(i), y = resumed.history().get(i);
                assertEquals(x.trainLoss(), y.trainLoss(), 0, "kill at " + killAt + ", epoch " + (i + 1));
                assertEquals(x.trainAccuracy(), y.trainAccuracy(), 0);
                assertEquals(x.validationLoss(), y.validationLoss(), 0);
            }
            assertEquals(Checkpoint.FORMAT, SafeTensors.load(ckpt).metadata().get("format"), "the last is an epoch's");
        }
    }

    @Test
    void checkpointsByTimeAreWrittenInsideEpochs() throws IOException {
        Path ckpt = dir.resolve("timed.safetensors");
        List<String> wrong = new ArrayList<>();
        Callback watcher = new Callback() {
            @Override
            public void onBatchEnd(Trainer t, Batch batch, double loss, int correct) {
                try { // a nanosecond's interval: the checkpoint holds the step before this one
                    String saved = t.step() == 1 ? null : SafeTensors.load(ckpt).metadata().get("step");
                    if (t.step() > 1 && Long.parseLong(saved) != t.step() - 1) {
                        wrong.add("at step " + t.step() + " the checkpoint holds step " + saved);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        midEpochTrainer(ckpt, List.of(watcher), new CheckpointInterval(0, 1e-12)).fit();
        assertEquals(List.of(), wrong);
        assertThrows(IllegalArgumentException.class, () -> new CheckpointInterval(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new CheckpointInterval(0, Double.NaN));
    }

    @Test
    void resumeRefusesAnotherSeedOrAForeignFile() throws IOException {
        Path ckpt = dir.resolve("c.safetensors");
        Trainer t = trainer(ckpt, List.of());
        t.fit();
        Dataset train = blobs(30, 1);
        Module model = new Mlp(Mlp.Spec.of(36, 16, 3).withDropout(0.2).withBatchNorm(true), new SplitMix64(5));
        Classifier c = new Classifier(new Standardize(new float[] {0}, new float[] {1}, DType.FLOAT32), model);
        Optimizer opt = Optimizers.adam(1e-3).over(c.trainableParameters());
        Trainer other = new Trainer(Trainer.Setup.of(c, opt, DataLoader.shuffled(train, 8)).withEpochs(2).withSeed(7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.resume(ckpt));
        assertTrue(e.getMessage().contains("seed 42"), e.getMessage());
        Path foreign = dir.resolve("model.safetensors");
        descent.io.SafeTensors.save(foreign, c.stateDict());
        IOException io = assertThrows(IOException.class, () -> other.resume(foreign));
        assertTrue(io.getMessage().contains("not a Descent checkpoint"), io.getMessage());
    }

    /** Passes its input through, but makes it NaN (forward) or poisons the gradient (backward). */
    private static final class Poison extends Module {
        private final boolean forward;

        Poison(boolean forward) {
            this.forward = forward;
        }

        @Override
        public Tensor forward(Tensor x, Mode mode) {
            // log(−1) is NaN; sqrt(relu(x) ∘ 0)'s gradient is ∞ · 0 = NaN while its value stays 0.
            return forward ? x.mul(0).sub(1).log() : x.add(x.relu().mul(0).sqrt());
        }
    }

    private static Trainer poisoned(boolean forward) {
        Dataset d = blobs(32, 3);
        Sequential model = new Sequential(new descent.nn.Flatten(), new Linear(36, 8, new SplitMix64(1)),
                new Poison(forward), new Linear(8, 3, new SplitMix64(2)));
        Optimizer opt = Optimizers.sgd(0.01).over(model.trainableParameters());
        return new Trainer(Trainer.Setup.of(model, opt, DataLoader.shuffled(d, 8)).withSeed(1));
    }

    @Test
    void nonFiniteForwardIsTracedToTheLayerAndStep() {
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> poisoned(true).fit());
        assertEquals(1, e.step());
        assertEquals(1, e.epoch());
        assertEquals("the output of 2 (Poison), op Log, forward pass", e.where(), e.getMessage());
    }

    @Test
    void nonFiniteGradientIsTracedToTheOpThatProducedIt() {
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> poisoned(false).fit());
        assertEquals(1, e.step());
        assertEquals("the gradient through Sqrt in 2 (Poison), backward pass", e.where(), e.getMessage());
    }

    @Test
    void earlyStoppingRestoresTheBestWeightsAlsoWhenTrainingEndsFirst() throws IOException {
        Trainer t = trainer(null, List.of());
        EarlyStopping stopper = new EarlyStopping(3, 0.01);
        Map<String, NdArray> best = new java.util.LinkedHashMap<>();
        t.model().stateDict().forEach((k, v) -> best.put(k, v.copy()));
        stopper.onEpochEnd(t, metrics(1, 0.50));
        // Weights change; later epochs are worse or improve by less than min delta.
        Tensor w = t.model().parameter("body.layers.0.weight");
        w.assign(w.value().add(1));
        stopper.onEpochEnd(t, metrics(2, 0.60));
        stopper.onEpochEnd(t, metrics(3, 0.495));
        assertEquals(null, t.stopReason());
        stopper.onTrainEnd(t); // training ended (out of epochs) before patience ran out
        assertEquals(1, stopper.bestEpoch());
        best.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), t.model().stateDict().get(k).toDoubleArray(), 0, k));
        stopper.onEpochEnd(t, metrics(4, 0.7));
        assertNotEquals(null, t.stopReason());
    }

    private static EpochMetrics metrics(int epoch, double valLoss) {
        return new EpochMetrics(epoch, epoch, 1, 0.5, valLoss, 0.5, Double.NaN, Double.NaN, 0.1, 1, 1);
    }

    @Test
    void metricsRowsRoundTrip() {
        EpochMetrics m = new EpochMetrics(3, 120, 0.25, 0.9, Double.NaN, Double.NaN, 0.3, 0.88, 1e-3, 1.5, 4000);
        assertEquals(m, EpochMetrics.parseCsv(m.csvRow()));
    }

    @Test
    void splitMixStateRoundTripsAndDerivedStreamsDiffer() {
        SplitMix64 a = new SplitMix64(9);
        a.nextLong();
        SplitMix64 b = new SplitMix64(0);
        b.setState(a.state());
        assertEquals(a.nextGaussian(), b.nextGaussian());
        assertNotEquals(SplitMix64.derive(1, "dropout").nextLong(), SplitMix64.derive(1, "data order").nextLong());
    }
}
