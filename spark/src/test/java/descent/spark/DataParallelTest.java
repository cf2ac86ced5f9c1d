package descent.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.data.Batch;
import descent.data.Dataset;
import descent.nn.Flatten;
import descent.nn.Mlp;
import descent.nn.Module;
import descent.nn.Sequential;
import descent.optim.Minimizer;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.optim.fullbatch.FullBatch;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.EpochMetrics;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import descent.train.TrainStep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data-parallel and full-batch training on an in-process Spark, against one machine. */
class DataParallelTest {

    static JavaSparkContext sc;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        sc = Clusters.context("local[2]", "descent-test");
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    /** Two Gaussian blobs per class on 6×6 "images". */
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

    static final ModelFactory MLP64 = () -> new Mlp(Mlp.Spec.of(36, 8, 3).withDtype(DType.FLOAT64), new SplitMix64(5));
    static final ModelFactory MLP32 = () -> new Sequential(new Flatten(),
            new Mlp(Mlp.Spec.of(36, 16, 3).withDropout(0.1), new SplitMix64(5)));

    private static void assertSameParameters(Module a, Module b, double tolerance) {
        Map<String, NdArray> sa = a.stateDict();
        Map<String, NdArray> sb = b.stateDict();
        assertEquals(sa.keySet(), sb.keySet());
        sa.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), sb.get(k).toDoubleArray(), tolerance, k));
    }

    @Test
    void oneLocalStepOfSgdIsSynchronousSgdOnABatchPartitionsTimesLarger() throws IOException {
        Dataset train = blobs(240, 1);
        int partitions = 3;
        int batch = 8;
        long seed = 11;
        OptimizerFactory momentum = p -> Optimizers.momentum(0.1, 0.9).over(p);
        var setup = new DataParallel.Setup(MLP64, momentum, partitions, batch, 1, 2, seed, null, 600);
        DataParallel run = new DataParallel(sc, setup, train, null);
        run.fit(null, m -> { });
        assertEquals(2 * 80 / batch, run.round());

        // One machine: each round's batch is the partitions' batches one after another.
        Module whole = MLP64.create();
        Optimizer opt = momentum.create(whole.trainableParameters());
        TrainStep step = new TrainStep(whole, opt, LossFunction.crossEntropy());
        List<Shard> shards = Shard.split(train, partitions);
        for (int r = 0; r < run.round(); r++) {
            int epoch = (int) (r / run.roundsPerEpoch());
            int j = (int) (r % run.roundsPerEpoch());
            List<Batch> parts = new ArrayList<>();
            for (Shard s : shards) {
                int[] order = LocalSteps.order(seed, epoch, s);
                parts.add(LocalSteps.batch(s.dataset(), java.util.Arrays.copyOfRange(order, j * batch, (j + 1) * batch),
                        null, null, DType.FLOAT64));
            }
            NdArray x = NdArray.concat(0, parts.stream().map(Batch::inputs).toArray(NdArray[]::new));
            int[] y = parts.stream().flatMapToInt(b -> java.util.Arrays.stream(b.labels())).toArray();
            step.run(new Batch(x, y, new int[y.length]), new SplitMix64(0), null, r + 1, epoch + 1);
        }
        assertSameParameters(whole, run.model(), 1e-6);
    }

    @Test
    void aRunResumedFromItsCheckpointEndsOnTheSameBitsAsOneThatNeverStopped() throws IOException {
        Dataset train = blobs(300, 2);
        Dataset test = blobs(60, 3);
        OptimizerFactory adam = p -> Optimizers.adam(0.01).over(p);
        var setup = new DataParallel.Setup(MLP32, adam, 2, 16, 2, 3, 7, "shift=1", 600);
        DataParallel whole = new DataParallel(sc, setup, train, test);
        List<EpochMetrics> history = whole.fit(null, m -> { });
        assertEquals(3, history.size());
        assertTrue(history.getLast().testAccuracy() > 0.8, history.toString());

        Path ckpt = dir.resolve("ckpt.safetensors");
        var firstTwo = new DataParallel.Setup(MLP32, adam, 2, 16, 2, 3, 7, "shift=1", 600);
        DataParallel stopped = new DataParallel(sc, firstTwo, train, test);
        List<EpochMetrics> seen = new ArrayList<>();
        assertThrows(Stop.class, () -> stopped.fit(ckpt, m -> {
            seen.add(m);
            if (m.epoch() == 1) {
                throw new Stop(); // the driver dies after epoch 1's checkpoint... of the round before it
            }
        }));
        DataParallel resumed = new DataParallel(sc, setup, train, test);
        resumed.resume(ckpt);
        resumed.fit(ckpt, m -> { });
        assertSameParameters(whole.model(), resumed.model(), 0);
        assertEquals(history.stream().map(DataParallelTest::withoutTimes).toList(),
                resumed.history().stream().map(DataParallelTest::withoutTimes).toList());
    }

    static final class Stop extends RuntimeException {}

    private static String withoutTimes(EpochMetrics m) {
        String[] f = EpochMetrics.csv(List.of(m)).strip().split("\n")[1].split(",");
        return String.join(",", java.util.Arrays.copyOf(f, f.length - 2));
    }

    @Test
    void lbfgsOnTheClusterFindsTheMinimumItFindsOnOneMachine() {
        Dataset train = blobs(200, 4);
        ModelFactory linear = () -> new Mlp(Mlp.Spec.of(36, 3).withDtype(DType.FLOAT64), new SplitMix64(9));
        Module onCluster = linear.create();
        FullBatchLoss loss = new FullBatchLoss(sc, linear, train, 3);
        Minimizer lbfgs = FullBatch.lbfgs(onCluster.trainableParameters());
        double clusterLoss = Double.NaN;
        for (int i = 0; i < 30; i++) {
            clusterLoss = lbfgs.step(loss.closure(onCluster));
        }

        Module local = linear.create();
        Map<String, Tensor> params = local.trainableParameters();
        Batch all = train.batch(0, train.size());
        Tensor x = Tensor.of(all.inputs().astype(DType.FLOAT64));
        Minimizer reference = FullBatch.lbfgs(params);
        double localLoss = Double.NaN;
        for (int i = 0; i < 30; i++) {
            localLoss = reference.step(() -> {
                params.values().forEach(Tensor::zeroGrad);
                Tensor l = descent.nn.Losses.crossEntropy(local.forward(x, descent.nn.Mode.EVAL), all.labels());
                l.backward();
                return l.item();
            });
        }
        assertEquals(localLoss, clusterLoss, 1e-6);
        assertSameParameters(local, onCluster, 1e-4);
        assertTrue(loss.evaluations() >= 30);
    }

    @Test
    void newtonCgTakesItsHessianVectorProductsFromTheCluster() {
        Dataset train = blobs(150, 8);
        ModelFactory linear = () -> new Mlp(Mlp.Spec.of(36, 3).withDtype(DType.FLOAT64), new SplitMix64(10));
        Module onCluster = linear.create();
        FullBatchLoss loss = new FullBatchLoss(sc, linear, train, 2);
        Minimizer newton = FullBatch.newtonCg(onCluster.trainableParameters());
        Module local = linear.create();
        Map<String, Tensor> params = local.trainableParameters();
        Batch all = train.batch(0, train.size());
        Tensor x = Tensor.of(all.inputs().astype(DType.FLOAT64));
        Minimizer reference = FullBatch.newtonCg(params);
        var objective = descent.optim.Objective.closure(params,
                () -> descent.nn.Losses.crossEntropy(local.forward(x, descent.nn.Mode.EVAL), all.labels()));
        for (int i = 0; i < 4; i++) {
            double onTheCluster = newton.step(loss.closure(onCluster));
            double onOneMachine = reference.step(objective);
            assertEquals(onOneMachine, onTheCluster, 1e-9, "iteration " + i);
        }
        assertSameParameters(local, onCluster, 1e-6);
    }
}
