package descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.Samplers;
import descent.nn.Classifier;
import descent.nn.Mlp;
import descent.nn.Standardize;
import descent.optim.Averaging;
import descent.optim.GlobalRules;
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

/** Iterate averaging in the {@link Trainer}: what it averages, what it evaluates, what it saves. */
class TrainerAveragingTest {

    @TempDir
    Path dir;

    private static final Dataset TRAIN = TrainerTest.blobs(120, 1); // 8 batches of 16 per epoch
    private static final Dataset VAL = TrainerTest.blobs(40, 2);

    private static Classifier model(boolean batchNorm, double dropout) {
        Dataset.Moments m = TRAIN.moments(false);
        return new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32),
                new Mlp(Mlp.Spec.of(36, 16, 3).withBatchNorm(batchNorm).withDropout(dropout), new SplitMix64(5)));
    }

    private static Trainer.Setup setup(Classifier model, Optimizer opt, Averaging.Spec averaging, int epochs) {
        return Trainer.Setup.of(model, opt, new DataLoader(TRAIN, 16, false, Samplers.shuffled(), null))
                .withValidation(VAL).withTest(VAL).withEpochs(epochs).withSeed(42).withAveraging(averaging);
    }

    /** Records a copy of the averaged tensors' values after each optimizer step. */
    private static final class Iterates implements Callback {
        final List<Map<String, double[]>> seen = new ArrayList<>();
        private long optimizerSteps;

        @Override
        public void onBatchEnd(Trainer t, Batch batch, double loss, int correct) {
            if (t.optimizer().steps() > optimizerSteps) {
                optimizerSteps = t.optimizer().steps();
                Map<String, double[]> values = new LinkedHashMap<>();
                Trainer.averagedTensors(t.model()).forEach((k, v) -> values.put(k, v.value().toDoubleArray()));
                seen.add(values);
            }
        }
    }

    private static void assertState(Map<String, double[]> expected, Map<String, NdArray> state, double tolerance) {
        expected.forEach((k, v) -> assertArrayEquals(v, state.get(k).toDoubleArray(), tolerance, k));
    }

    @Test
    void polyakWeightsAreTheMeanOfTheIteratesAndTheEpochsAreEvaluatedWithThem() throws IOException {
        Classifier model = model(true, 0);
        Iterates iterates = new Iterates();
        Map<String, NdArray> trainedAtTheEnd = new LinkedHashMap<>();
        Callback lastLive = new Callback() {
            @Override
            public void onEpochEnd(Trainer t, EpochMetrics m) {
                trainedAtTheEnd.clear();
                t.model().stateDict().forEach((k, v) -> trainedAtTheEnd.put(k, v.copy()));
            }
        };
        Trainer t = new Trainer(setup(model, Optimizers.sgd(0.2).over(model.trainableParameters()),
                Averaging.Spec.polyak(10), 3).withCallbacks(iterates, lastLive));
        t.fit();

        // The mean, in float64, of the iterates after step 10: parameters and batch norm's running statistics.
        List<Map<String, double[]>> kept = iterates.seen.subList(10, iterates.seen.size());
        Map<String, double[]> mean = new LinkedHashMap<>();
        kept.getFirst().forEach((k, v) -> {
            double[] sum = new double[v.length];
            kept.forEach(it -> {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += it.get(k)[i] / kept.size();
                }
            });
            mean.put(k, sum);
        });
        assertTrue(mean.containsKey("body.layers.1.running_mean"), mean.keySet().toString());
        assertEquals(24, t.averaging().updates());
        assertEquals(14, t.averaging().averaged());
        assertState(mean, model.stateDict(), 1e-6); // the model ends with the average
        assertEquals(trainedAtTheEnd.get("body.layers.1.num_batches_tracked").item(),
                model.stateDict().get("body.layers.1.num_batches_tracked").item(), "the batch count is not averaged");

        // Epoch 1 (8 steps) had no average yet; later epochs are measured with it.
        assertFalse(t.history().get(0).averaged());
        assertTrue(t.history().get(1).averaged() && t.history().get(2).averaged());
        Evaluation averaged = Evaluation.of(model, VAL, LossFunction.crossEntropy(), 1000);
        assertEquals(averaged.loss(), t.history().getLast().testLoss(), 0);
        model.loadStateDict(trainedAtTheEnd, true);
        Evaluation trained = Evaluation.of(model, VAL, LossFunction.crossEntropy(), 1000);
        assertNotEquals(trained.loss(), t.history().getLast().testLoss(), "not the trained weights' loss");
        assertTrue(EpochMetrics.csv(t.history()).startsWith(EpochMetrics.CSV_HEADER + ",averaged_weights\n"));
        assertEquals(t.history(), EpochMetrics.parseCsvTable(EpochMetrics.csv(t.history())));
    }

    @Test
    void emaFoldsInOncePerOptimizerStepWhenGradientsAccumulate() throws IOException {
        Classifier model = model(false, 0);
        Iterates iterates = new Iterates();
        Optimizer opt = Optimizers.sgd(0.2).over(model.trainableParameters(), GlobalRules.accumulate(2));
        Trainer t = new Trainer(setup(model, opt, Averaging.Spec.exponential(0.9), 2).withCallbacks(iterates));
        t.fit();
        assertEquals(16, t.step());
        assertEquals(8, opt.steps());
        assertEquals(8, t.averaging().updates());
        Map<String, double[]> ema = new LinkedHashMap<>();
        iterates.seen.forEach(it -> it.forEach((k, v) -> ema.merge(k, v.clone(), (avg, x) -> {
            for (int i = 0; i < avg.length; i++) {
                avg[i] = 0.9 * avg[i] + 0.1 * x[i];
            }
            return avg;
        })));
        assertState(ema, model.stateDict(), 1e-6);
    }

    /** Dropout, batch norm, early stopping and a Polyak start inside the killed epoch: every piece of state. */
    private Trainer resumable(Path checkpoint, Callback extra) {
        Classifier model = model(true, 0.2);
        Optimizer opt = Optimizers.adam(0.01).over(model.trainableParameters());
        return new Trainer(setup(model, opt, Averaging.Spec.polyak(26), 6).withCheckpoint(checkpoint)
                .withCallbacks(extra, new EarlyStopping(10, 0)));
    }

    private static final class Kill extends RuntimeException {}

    @Test
    void resumeAfterAKillContinuesTheAverageBitForBit() throws IOException {
        Callback none = new Callback() {};
        Trainer uninterrupted = resumable(dir.resolve("a.safetensors"), none);
        uninterrupted.fit();

        Path ckpt = dir.resolve("b.safetensors");
        Trainer killed = resumable(ckpt, new Callback() {
            @Override
            public void onBatchEnd(Trainer t, Batch batch, double loss, int correct) {
                if (t.step() == 4 * 8 + 3) { // three steps into epoch 5, the average 6 iterates old
                    throw new Kill();
                }
            }
        });
        assertThrows(Kill.class, killed::fit);
        Trainer resumed = resumable(ckpt, none);
        resumed.resume(ckpt);
        assertEquals(32, resumed.averaging().updates());
        assertEquals(6, resumed.averaging().averaged());
        resumed.fit();
        Map<String, NdArray> a = uninterrupted.model().stateDict();
        resumed.model().stateDict().forEach((k, v) -> assertArrayEquals(a.get(k).toDoubleArray(), v.toDoubleArray(), 0, k));
        assertEquals(uninterrupted.history().size(), resumed.history().size());
        for (int i = 0; i < resumed.history().size(); i++) {
            assertEquals(uninterrupted.history().get(i).validationLoss(), resumed.history().get(i).validationLoss(), 0);
            assertEquals(uninterrupted.history().get(i).averaged(), resumed.history().get(i).averaged());
        }
    }

    @Test
    void resumeRefusesACheckpointOfAnotherAverage() throws IOException {
        Path ckpt = dir.resolve("c.safetensors");
        Classifier model = model(false, 0);
        new Trainer(setup(model, Optimizers.sgd(0.1).over(model.trainableParameters()), null, 1).withCheckpoint(ckpt))
                .fit();
        Classifier other = model(false, 0);
        Trainer averaging = new Trainer(setup(other, Optimizers.sgd(0.1).over(other.trainableParameters()),
                Averaging.Spec.exponential(0.99), 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> averaging.resume(ckpt));
        assertTrue(e.getMessage().contains("without iterate averaging") && e.getMessage().contains("averages ema:0.99"),
                e.getMessage());
    }

    @Test
    void earlyStoppingWatchesAndKeepsTheAveragedWeights() {
        Classifier model = model(false, 0);
        Trainer t = new Trainer(setup(model, Optimizers.sgd(0.2).over(model.trainableParameters()),
                Averaging.Spec.exponential(0.5), 3));
        try (DataLoader.Epoch batches = DataLoader.inOrder(TRAIN, 16).epoch(0, new SplitMix64(0), new SplitMix64(0))) {
            t.step(batches.next());
            t.step(batches.next());
        }
        Map<String, NdArray> averaged = new LinkedHashMap<>();
        t.averaging().averages().forEach((k, v) -> averaged.put(k, v.copy()));
        EarlyStopping stopper = new EarlyStopping(3, 0);
        stopper.onTrainStart(t);
        stopper.onEpochEnd(t, new EpochMetrics(1, 2, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.2, 1, 1, true));
        Tensor w = model.parameter("body.layers.0.weight");
        w.assign(w.value().add(1)); // the trained weights move on, the best epoch was the first
        stopper.onTrainEnd(t);
        averaged.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), model.stateDict().get(k).toDoubleArray(), 0, k));

        Trainer noValidation = new Trainer(Trainer.Setup.of(model, Optimizers.sgd(0.1).over(model.trainableParameters()),
                DataLoader.inOrder(TRAIN, 16)).withAveraging(Averaging.Spec.polyak(0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EarlyStopping(2, 0).onTrainStart(noValidation));
        assertTrue(e.getMessage().contains("validation set"), e.getMessage());
    }
}
