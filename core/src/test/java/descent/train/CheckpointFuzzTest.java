package descent.train;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.Test;
import descent.data.Augmentation;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.Samplers;
import descent.io.FuzzFile;
import descent.nn.Classifier;
import descent.nn.Mlp;
import descent.nn.Standardize;
import descent.optim.Averaging;
import descent.optim.GlobalRules;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.optim.Schedules;
import descent.optim.fullbatch.FullBatch;
import descent.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Resuming from any file: Trainer.resume and FullBatchTraining.resume either restore the run or
 * refuse with an IOException or IllegalArgumentException naming the file, nothing else.
 */
class CheckpointFuzzTest {

    @FuzzTest
    void restore(byte[] data) {
        Path file = FuzzFile.write("checkpoint.safetensors", data);
        Trainer t = run(null);
        try {
            t.resume(file);
        } catch (IOException | IllegalArgumentException e) {
            FuzzFile.requireNames(e, file);
        }
    }

    @FuzzTest
    void fullBatchResume(byte[] data) {
        Path file = FuzzFile.write("fullbatch.safetensors", data);
        FullBatchTraining t = fullBatchRun();
        try {
            t.resume(file);
        } catch (IOException | IllegalArgumentException e) {
            FuzzFile.requireNames(e, file);
        }
    }

    /** A small run with every kind of restored state: batch norm, Adam with a schedule, early stopping, averaging. */
    static Trainer run(Path checkpoint) {
        Dataset train = blobs(8, 1);
        Dataset.Moments m = train.moments(false);
        Classifier model = new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32),
                new Mlp(Mlp.Spec.of(4, 3, 2).withBatchNorm(true), new SplitMix64(5)));
        Optimizer opt = Optimizers.adam(0.01).withSchedule(Schedules.cosine(0.01, 0, 4))
                .over(model.trainableParameters(), GlobalRules.clipByGlobalNorm(1.0));
        DataLoader loader = new DataLoader(train, 4, false, Samplers.shuffled(),
                Augmentation.parse("shift=1", new int[] {2, 2}));
        Trainer.Setup s = Trainer.Setup.of(model, opt, loader).withValidation(blobs(4, 2)).withEpochs(2).withSeed(42)
                .withCallbacks(new EarlyStopping(10, 0)).withAveraging(Averaging.Spec.parse("polyak"));
        return new Trainer(checkpoint == null ? s : s.withCheckpoint(checkpoint));
    }

    static FullBatchTraining fullBatchRun() {
        Dataset train = blobs(8, 1);
        Dataset.Moments m = train.moments(false);
        Classifier model = new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT64),
                new Mlp(Mlp.Spec.of(4, 3, 2).withDtype(DType.FLOAT64), new SplitMix64(5)));
        return new FullBatchTraining(FullBatchTraining.Setup.of(model, FullBatch.lbfgs(model.trainableParameters()),
                new DatasetLoss(model, train, LossFunction.crossEntropy()), 2));
    }

    /** {@code n} examples of 2×2 pixels in two classes. */
    static Dataset blobs(int n, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        float[] x = new float[n * 4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int j = 0; j < 4; j++) {
                x[i * 4 + j] = (float) (rng.nextGaussian() + (j % 2 == y[i] ? 2 : 0));
            }
        }
        return new Dataset("blobs", x, new int[] {2, 2}, y, 2);
    }

    /** The seed corpora: the checkpoints these two runs write (scripts/fuzz.sh --seeds). */
    @Test
    @EnabledIfSystemProperty(named = FuzzFile.SEEDS, matches = ".+")
    void writeSeeds() throws IOException {
        run(FuzzFile.seeds(CheckpointFuzzTest.class, "restore").resolve("seed-checkpoint")).fit();
        fullBatchRun().fit(FuzzFile.seeds(CheckpointFuzzTest.class, "fullBatchResume")
                .resolve("seed-fullbatch-checkpoint"), e -> {});
    }
}
