package descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.data.Dataset;
import descent.nn.Activation;
import descent.nn.Classifier;
import descent.nn.Standardize;
import descent.nn.Losses;
import descent.nn.Mlp;
import descent.nn.Mode;
import descent.optim.Closure;
import descent.optim.Minimizer;
import descent.optim.fullbatch.Curvature;
import descent.optim.fullbatch.FullBatch;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FullBatchTrainingTest {

    @TempDir
    Path dir;

    private static Classifier model(DType dtype) {
        return new Classifier(new Standardize(new float[] {0.3f}, new float[] {0.8f}, dtype),
                new Mlp(Mlp.Spec.of(36, 8, 3).withActivation(Activation.tanh()).withDtype(dtype), new SplitMix64(3)));
    }

    /** More examples than one chunk, so the chunks' shares must add up to the mean over all of them. */
    @Test
    void theChunkedLossGradientAndCurvatureAreThoseOfTheWholeSet() {
        Dataset data = TrainerTest.blobs(DatasetLoss.CHUNK + 333, 7);
        Classifier m = model(DType.FLOAT64);
        DatasetLoss loss = new DatasetLoss(m, data, LossFunction.crossEntropy());
        double value = loss.evaluate();
        List<Tensor> params = List.copyOf(m.trainableParameters().values());
        int n = params.stream().mapToInt(Tensor::size).sum();
        double[] chunked = grads(params, n);

        NdArray x = data.batch(0, data.size()).inputs().astype(DType.FLOAT64);
        int[] labels = data.batch(0, data.size()).labels();
        params.forEach(Tensor::zeroGrad);
        Tensor whole = Losses.crossEntropy(m.forward(Tensor.of(x), Mode.EVAL), labels);
        whole.backward();
        assertEquals(whole.item(), value, 1e-12);
        assertArrayEquals(grads(params, n), chunked, 1e-12);
        assertEquals(1, loss.evaluations());
        assertEquals(data.size(), loss.examples());
        assertEquals(Evaluation.correct(m.forward(Tensor.of(x), Mode.EVAL), labels) / (double) data.size(),
                loss.lastAccuracy(), 1e-15);

        double[] v = new double[n];
        SplitMix64 rng = new SplitMix64(11);
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextGaussian();
        }
        double[] expected = Curvature.hessianVector(() -> Losses.crossEntropy(m.forward(Tensor.of(x), Mode.EVAL), labels),
                params, n, v);
        assertArrayEquals(expected, loss.hessianVector(v), 1e-10);
    }

    @Test
    void lbfgsTrainsANetworkIterationByIteration() throws IOException {
        Dataset train = TrainerTest.blobs(300, 1);
        Classifier m = model(DType.FLOAT32);
        DatasetLoss loss = new DatasetLoss(m, train, LossFunction.crossEntropy());
        FullBatchTraining run = new FullBatchTraining(FullBatchTraining.Setup.of(m,
                FullBatch.lbfgs(m.trainableParameters()), loss, 15).withTest(TrainerTest.blobs(100, 2)));
        List<EpochMetrics> history = run.fit(null, e -> {});
        assertEquals(15, history.size());
        assertTrue(history.getLast().trainLoss() < 0.2 * history.getFirst().trainLoss(), history.toString());
        assertTrue(history.getLast().testAccuracy() > 0.95, history.getLast().toString());
        for (int i = 1; i < history.size(); i++) {
            EpochMetrics e = history.get(i);
            assertEquals(i + 1, e.epoch());
            assertTrue(e.step() > history.get(i - 1).step(), "the step column counts the loss evaluations");
            assertTrue(e.trainLoss() <= history.get(i - 1).trainLoss(), "L-BFGS's line search never goes uphill");
        }
        assertEquals(loss.evaluations(), history.getLast().step());
        assertNull(run.stopReason());
    }

    @Test
    void aResumedRunEndsWithTheSameBitsAsAnUninterruptedOne() throws IOException {
        Dataset train = TrainerTest.blobs(200, 4);
        Map<String, NdArray> straight = trained(train, 8, null, null);
        Path checkpoint = dir.resolve("checkpoint.safetensors");
        trained(train, 3, checkpoint, null);
        Map<String, NdArray> resumed = trained(train, 8, null, checkpoint);
        assertEquals(straight.keySet(), resumed.keySet());
        straight.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), resumed.get(k).toFloatArray(), k));
        assertTrue(Files.list(dir).noneMatch(p -> p.toString().endsWith(".tmp")));
    }

    private static Map<String, NdArray> trained(Dataset train, int iterations, Path writeTo, Path resumeFrom)
            throws IOException {
        Classifier m = model(DType.FLOAT32);
        FullBatchTraining run = new FullBatchTraining(FullBatchTraining.Setup.of(m, FullBatch.cg(m.trainableParameters()),
                new DatasetLoss(m, train, LossFunction.crossEntropy()), iterations));
        if (resumeFrom != null) {
            run.resume(resumeFrom);
            assertEquals(3, run.history().size());
        }
        run.fit(writeTo, e -> {});
        assertEquals(iterations, run.history().size());
        return m.stateDict();
    }

    @Test
    void aStalledMethodEndsTheRunWithItsReason() throws IOException {
        Classifier m = model(DType.FLOAT32);
        DatasetLoss loss = new DatasetLoss(m, TrainerTest.blobs(50, 1), LossFunction.crossEntropy());
        Minimizer stallsAtTheSecond = new Minimizer() {
            int steps;

            @Override
            public double step(Closure closure) {
                steps++;
                return closure.evaluate();
            }

            @Override
            public boolean stalled() {
                return steps == 2;
            }

            @Override
            public Map<String, Tensor> parameters() {
                return m.trainableParameters();
            }

            @Override
            public Map<String, NdArray> stateDict() {
                return Map.of();
            }

            @Override
            public void loadStateDict(Map<String, NdArray> state) {}
        };
        FullBatchTraining run = new FullBatchTraining(FullBatchTraining.Setup.of(m, stallsAtTheSecond, loss, 10));
        assertEquals(2, run.fit(dir.resolve("c.safetensors"), e -> {}).size());
        assertTrue(run.stopReason().startsWith("stalled at iteration 2"), run.stopReason());
        FullBatchTraining again = new FullBatchTraining(FullBatchTraining.Setup.of(m, stallsAtTheSecond, loss, 10));
        again.resume(dir.resolve("c.safetensors"));
        assertEquals(run.stopReason(), again.stopReason());
        assertEquals(2, again.fit(null, e -> {}).size(), "a resumed stalled run stays stopped");
    }

    @Test
    void aNonFiniteLossStopsTheRunNamingTheIteration() {
        Classifier m = model(DType.FLOAT32);
        Tensor first = m.trainableParameters().values().iterator().next();
        first.assign(first.value().mul(Double.NaN));
        FullBatchTraining run = new FullBatchTraining(FullBatchTraining.Setup.of(m, FullBatch.lbfgs(m.trainableParameters()),
                new DatasetLoss(m, TrainerTest.blobs(50, 1), LossFunction.crossEntropy()), 5));
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> run.fit(null, x -> {}));
        assertTrue(e.getMessage().contains("epoch 1") && e.getMessage().contains("full-batch training loss"), e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherKindIsRefused() throws IOException {
        Classifier m = model(DType.FLOAT32);
        Path file = dir.resolve("other.safetensors");
        descent.io.SafeTensors.save(file, m.stateDict(), Map.of("format", "descent-checkpoint-1"));
        FullBatchTraining run = new FullBatchTraining(FullBatchTraining.Setup.of(m, FullBatch.lbfgs(m.trainableParameters()),
                new DatasetLoss(m, TrainerTest.blobs(50, 1), LossFunction.crossEntropy()), 5));
        IOException e = assertThrows(IOException.class, () -> run.resume(file));
        assertTrue(e.getMessage().contains("not a full-batch checkpoint"), e.getMessage());
    }

    private static double[] grads(List<Tensor> params, int n) {
        double[] out = new double[n];
        int at = 0;
        for (Tensor p : params) {
            double[] g = p.grad().value().toDoubleArray();
            System.arraycopy(g, 0, out, at, g.length);
            at += g.length;
        }
        return out;
    }
}
