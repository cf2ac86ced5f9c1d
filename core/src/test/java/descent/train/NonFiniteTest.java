package descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.nn.Activation;
import descent.nn.Flatten;
import descent.nn.Linear;
import descent.nn.Module;
import descent.nn.Sequential;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
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

/**
 * The ways a training goes non-finite in practice, each traced to the layer, the step and the
 * pass; and what the trainer does then ({@link OnNonFinite}): stop, skip the step, or roll back
 * to the last checkpoint at half the learning rate.
 */
class NonFiniteTest {

    @TempDir
    Path dir;

    private static Sequential mlp(int in) {
        return new Sequential(new Flatten(), new Linear(in, 8, new SplitMix64(1)), Activation.tanh(),
                new Linear(8, 3, new SplitMix64(2)));
    }

    /** Blobs scaled by {@code scale}: raw, unnormalised features. */
    static Dataset blobs(int n, double scale) {
        SplitMix64 rng = new SplitMix64(3);
        float[] x = new float[n * 36];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(3);
            for (int j = 0; j < 36; j++) {
                x[i * 36 + j] = (float) (scale * (rng.nextGaussian() * 0.5 + (j % 3 == y[i] ? 1 : 0)));
            }
        }
        return new Dataset("blobs", x, new int[] {6, 6}, y, 3);
    }

    /** A hand-written squared error against the one-hot labels, summed over classes, mean over the batch. */
    private static Tensor squaredError(Tensor out, int[] labels) {
        int classes = out.shape()[1];
        double[] onehot = new double[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            onehot[i * classes + labels[i]] = 1;
        }
        Tensor d = out.sub(Tensor.of(NdArray.of(onehot, labels.length, classes).astype(out.dtype())));
        return d.mul(d).sum().div(labels.length);
    }

    /** A hand-written binary cross-entropy of each class's sigmoid: −Σ y·log p + (1 − y)·log(1 − p). */
    private static Tensor binaryCrossEntropy(Tensor out, int[] labels) {
        int classes = out.shape()[1];
        double[] onehot = new double[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            onehot[i * classes + labels[i]] = 1;
        }
        Tensor y = Tensor.of(NdArray.of(onehot, labels.length, classes).astype(out.dtype()));
        Tensor p = out.sigmoid();
        return y.mul(p.log()).add(y.mul(-1).add(1).mul(p.mul(-1).add(1).log())).sum().div(-labels.length);
    }

    private Trainer trainer(Module model, Dataset d, double lr, LossFunction loss, int epochs) {
        Optimizer opt = Optimizers.sgd(lr).over(model.trainableParameters());
        return new Trainer(Trainer.Setup.of(model, opt, DataLoader.shuffled(d, 16)).withLoss(loss).withEpochs(epochs)
                .withSeed(7).withCheckpoint(dir.resolve("run.safetensors")));
    }

    // ---------------------------------------------------------------- how it happens, traced

    /** SGD at 3 on a squared error: the weights grow until the summed loss overflows float32. */
    @Test
    void aDivergingLearningRate() {
        Trainer t = trainer(mlp(36), blobs(96, 1), 3, NonFiniteTest::squaredError, 50);
        NonFiniteException e = assertThrows(NonFiniteException.class, t::fit);
        assertEquals(16, e.step());
        assertEquals(3, e.epoch());
        assertEquals("the loss, op Sum, forward pass (the model's outputs are finite)", e.where(), e.getMessage());
    }

    /** Inputs ×50 saturate the sigmoid at exactly 1 in float32, so log(1 − p) is log 0. */
    @Test
    void aLogOfZeroInAHandWrittenLoss() {
        Sequential linear = new Sequential(new Flatten(), new Linear(36, 3, new SplitMix64(1)));
        Trainer t = trainer(linear, blobs(96, 50), 0.1, NonFiniteTest::binaryCrossEntropy, 2);
        NonFiniteException e = assertThrows(NonFiniteException.class, t::fit);
        assertEquals(1, e.step());
        assertEquals("the loss, op Log, forward pass (the model's outputs are finite)", e.where(), e.getMessage());
    }

    /** Unnormalised inputs of 1e20: fine at step 1, but x·W overflows once W has taken one step. */
    @Test
    void aFloat32OverflowWithLargeInputs() {
        Sequential relu = new Sequential(new Flatten(), new Linear(36, 8, new SplitMix64(1)), Activation.relu(),
                new Linear(8, 3, new SplitMix64(2)));
        Trainer t = trainer(relu, blobs(96, 1e20), 0.01, LossFunction.crossEntropy(), 2);
        NonFiniteException e = assertThrows(NonFiniteException.class, t::fit);
        assertEquals(2, e.step()); // the first step's update, lr·1e20, makes the second forward overflow
        assertEquals("the output of 3 (Linear), op MatMul, forward pass", e.where(), e.getMessage());
    }

    // ---------------------------------------------------------------- what the trainer does then

    /** Blobs with example {@code i} corrupted (a NaN feature): one bad batch in every epoch. */
    static Dataset corrupted(int n, int i) {
        Dataset d = blobs(n, 1);
        float[] x = new float[n * 36];
        int[] y = new int[n];
        for (int k = 0; k < n; k++) {
            d.copyFeatures(k, x, k * 36);
            y[k] = d.label(k);
        }
        x[i * 36] = Float.NaN;
        return new Dataset("corrupted", x, new int[] {6, 6}, y, 3);
    }

    private Trainer diverging(OnNonFinite policy, int epochs) {
        Trainer t = trainer(mlp(36), blobs(96, 1), 3, NonFiniteTest::squaredError, epochs);
        t.onNonFinite(policy);
        return t;
    }

    /** A linear model on a squared error at a rate above 2/λmax: diverges, but half or a quarter of it does not. */
    private Trainer linearDiverging(OnNonFinite policy, int epochs) {
        Sequential linear = new Sequential(new Flatten(), new Linear(36, 3, new SplitMix64(1)));
        Trainer t = trainer(linear, blobs(96, 1), LINEAR_LR, NonFiniteTest::squaredError, epochs);
        t.onNonFinite(policy);
        return t;
    }

    private static final double LINEAR_LR = 0.3;

    private Trainer corrupted(OnNonFinite policy, int epochs) {
        Trainer t = trainer(mlp(36), corrupted(96, 40), 0.1, LossFunction.crossEntropy(), epochs);
        t.onNonFinite(policy);
        return t;
    }

    private static void assertFiniteWeights(Module m) {
        m.stateDict().forEach((k, v) -> assertTrue(descent.diagnostics.NonFiniteTracer.allFinite(v), k));
    }

    @Test
    void stopIsTheDefault() {
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> corrupted(OnNonFinite.stop(), 4).fit());
        assertEquals("the output of 0 (Flatten), op leaf, forward pass", e.where(), e.getMessage()); // the input itself
    }

    @Test
    void skipStepDiscardsTheBadBatchAndGoesOn() throws IOException {
        Trainer t = corrupted(OnNonFinite.skipStep(), 4);
        List<String> notes = new ArrayList<>();
        t.onNote(notes::add);
        t.fit();
        assertEquals(4, t.skippedSteps()); // the example is in one batch of each epoch
        assertEquals(24, t.step());
        assertEquals(20, t.optimizer().steps());
        assertFiniteWeights(t.model());
        t.history().forEach(m -> assertTrue(Double.isFinite(m.trainLoss()), m.toString()));
        assertEquals(4, notes.size(), notes.toString());
        assertTrue(notes.getFirst().matches("skipped step \\d+: non-finite, first in the output of 0 \\(Flatten\\).*"
                + "\\(1 in a row, 1 in all\\)"), notes.getFirst());
    }

    @Test
    void aSkippedStepMovesNothing() {
        Trainer t = corrupted(OnNonFinite.skipStep(), 1);
        Map<String, NdArray> before = new java.util.LinkedHashMap<>();
        t.model().stateDict().forEach((k, v) -> before.put(k, v.copy()));
        Dataset d = corrupted(96, 40);
        assertNull(t.step(d.batch(32, 48)));
        assertEquals(1, t.skippedSteps());
        assertEquals(0, t.optimizer().steps());
        t.model().stateDict().forEach((k, v) -> assertArrayEquals(before.get(k).toDoubleArray(), v.toDoubleArray(), 0, k));
        assertTrue(t.step(d.batch(0, 16)) != null);
        assertEquals(1, t.optimizer().steps());
    }

    @Test
    void skipStepGivesUpAfterAFewInARow() {
        // Diverged weights make every later step non-finite too: no batch is to blame.
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> diverging(OnNonFinite.skipStep(), 50).fit());
        assertEquals(19, e.step());
        assertTrue(e.getMessage().contains("gave up after 4 non-finite steps in a row (skip-step tolerates 3)"),
                e.getMessage());
    }

    @Test
    void rollbackReturnsToTheCheckpointAtHalfTheRate() throws IOException {
        Trainer t = linearDiverging(OnNonFinite.rollback(), 30);
        List<String> notes = new ArrayList<>();
        t.onNote(notes::add);
        t.fit();
        assertEquals(30, t.epoch());
        assertFiniteWeights(t.model());
        assertEquals(List.of("non-finite value at step 59 (first in the loss, op Sum, forward pass (the model's outputs "
                + "are finite)): rolled back to the checkpoint of step 54 (epoch 9), learning rate now ×0.5"), notes);
        assertEquals(0.5, t.optimizer().learningRateScale());
        assertEquals(0.15, t.optimizer().learningRate());
        assertTrue(Double.isFinite(t.history().getLast().trainLoss()));
    }

    /** With checkpoints inside epochs, a rollback lands mid-epoch and the epoch goes on from there. */
    @Test
    void rollbackToACheckpointInsideAnEpochContinuesThatEpoch() throws IOException {
        Sequential linear = new Sequential(new Flatten(), new Linear(36, 3, new SplitMix64(1)));
        Optimizer opt = Optimizers.sgd(LINEAR_LR).over(linear.trainableParameters());
        Trainer t = new Trainer(Trainer.Setup.of(linear, opt, DataLoader.shuffled(blobs(96, 1), 16))
                .withLoss(NonFiniteTest::squaredError).withEpochs(30).withSeed(7)
                .withCheckpoint(dir.resolve("run.safetensors")).withCheckpointEvery(new CheckpointInterval(4, 0)));
        t.onNonFinite(OnNonFinite.rollback());
        List<String> notes = new ArrayList<>();
        t.onNote(notes::add);
        t.fit();
        assertEquals(30, t.epoch());
        assertEquals(30 * 6, t.step(), "the step count returns with the checkpoint: every batch is trained once");
        assertFiniteWeights(t.model());
        assertEquals(1, notes.size(), notes.toString());
        long to = Long.parseLong(notes.getFirst().replaceAll(".*checkpoint of step (\\d+).*", "$1"));
        assertTrue(to % 6 != 0 && to % 4 == 0, "a checkpoint inside an epoch: " + notes.getFirst());
        t.history().forEach(m -> assertTrue(Double.isFinite(m.trainLoss()), m.toString()));
    }

    @Test
    void rollbackGivesUpAfterThreeHalvings() {
        // The corrupted example is in the same batch each time the epoch is replayed.
        Trainer t = corrupted(OnNonFinite.rollback(), 4);
        List<String> notes = new ArrayList<>();
        t.onNote(notes::add);
        NonFiniteException e = assertThrows(NonFiniteException.class, t::fit);
        assertEquals(3, notes.size(), notes.toString());
        assertEquals(0.125, t.optimizer().learningRateScale());
        assertTrue(e.getMessage().contains("gave up after 3 rollbacks, each halving the learning rate (now ×0.125)"),
                e.getMessage());
    }

    @Test
    void rollbackNeedsACheckpoint() {
        Optimizer opt = Optimizers.sgd(0.1).over(mlp(36).trainableParameters());
        Trainer t = new Trainer(Trainer.Setup.of(mlp(36), opt, DataLoader.shuffled(blobs(32, 1), 16)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.onNonFinite(OnNonFinite.rollback()));
        assertTrue(e.getMessage().contains("needs a checkpoint"), e.getMessage());
    }

    @Test
    void aRunResumedAfterARollbackContinuesBitExactlyAtTheReducedRate() throws IOException {
        Path copy = dir.resolve("after-epoch-20.safetensors");
        Trainer whole = linearDiverging(OnNonFinite.rollback(), 24);
        // The checkpoint after epoch 20 (the rollback was in epoch 10) is copied when epoch 21 starts.
        Trainer copying = new Trainer(whole.setup().withCallbacks(new Callback() {
            @Override
            public void onEpochStart(Trainer t, int epoch, int batches) {
                if (epoch == 21) {
                    try {
                        Files.copy(t.setup().checkpoint(), copy);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        }));
        copying.onNonFinite(OnNonFinite.rollback());
        copying.fit();
        assertEquals(0.5, copying.optimizer().learningRateScale());

        Trainer resumed = linearDiverging(OnNonFinite.rollback(), 24); // a fresh process: full rate until it reads the file
        resumed.resume(copy);
        assertEquals(copying.optimizer().learningRateScale(), resumed.optimizer().learningRateScale());
        resumed.fit();
        Map<String, NdArray> a = copying.model().stateDict();
        resumed.model().stateDict().forEach((k, v) -> assertArrayEquals(a.get(k).toDoubleArray(), v.toDoubleArray(), 0, k));
    }
}
