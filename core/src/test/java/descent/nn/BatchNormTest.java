package descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed batch-norm values. The batch x = [[1, 2], [3, 6]] has per-feature mean [2, 4],
 * biased variance [1, 4] and unbiased variance [2, 8].
 */
class BatchNormTest {

    static final DType F64 = DType.FLOAT64;
    static final NdArray BATCH = NdArray.of(new double[] {1, 2, 3, 6}, 2, 2);

    @Test
    void trainingNormalizesByBatchStatistics() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-5, BatchNorm1d.Momentum.pytorch(0.1), true, F64);
        bn.weight().assign(NdArray.of(new double[] {2, 3}, 2));
        bn.bias().assign(NdArray.of(new double[] {0.5, -1}, 2));
        double[] y = bn.forward(Tensor.of(BATCH), Mode.train(null)).value().toDoubleArray();
        double a = 1 / Math.sqrt(1 + 1e-5);
        double b = 2 / Math.sqrt(4 + 1e-5);
        assertArrayEquals(new double[] {-2 * a + 0.5, -3 * b - 1, 2 * a + 0.5, 3 * b - 1}, y, 1e-12);
    }

    @Test
    void pytorchMomentumWeighsTheNewBatchAndUnbiasesTheVariance() {
        BatchNorm1d bn = new BatchNorm1d(2, F64);
        bn.forward(Tensor.of(BATCH), Mode.train(null));
        assertArrayEquals(new double[] {0.2, 0.4}, bn.runningMean().value().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0.9 + 0.2, 0.9 + 0.8}, bn.runningVar().value().toDoubleArray(), 1e-12);
        bn.forward(Tensor.of(BATCH), Mode.train(null));
        assertArrayEquals(new double[] {0.9 * 0.2 + 0.2, 0.9 * 0.4 + 0.4}, bn.runningMean().value().toDoubleArray(), 1e-12);
        assertEquals(2, bn.stateDict().get("num_batches_tracked").item());
    }

    @Test
    void kerasMomentumWeighsTheOldValueAndKeepsTheBiasedVariance() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-3, BatchNorm1d.Momentum.keras(0.99), true, F64);
        bn.forward(Tensor.of(BATCH), Mode.train(null));
        assertArrayEquals(new double[] {0.02, 0.04}, bn.runningMean().value().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0.99 + 0.01, 0.99 + 0.04}, bn.runningVar().value().toDoubleArray(), 1e-12);
    }

    @Test
    void cumulativeAverageIsThePlainMeanOfBatches() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-5, BatchNorm1d.Momentum.cumulativeAverage(), true, F64);
        bn.forward(Tensor.of(BATCH), Mode.train(null));
        bn.forward(Tensor.of(BATCH.mul(3)), Mode.train(null));
        assertArrayEquals(new double[] {(2 + 6) / 2.0, (4 + 12) / 2.0}, bn.runningMean().value().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {(2 + 18) / 2.0, (8 + 72) / 2.0}, bn.runningVar().value().toDoubleArray(), 1e-12);
    }

    /**
     * The notes' EMA (Piastra): EMA⁽⁰⁾ is the first batch's mean and biased variance σ²_B =
     * (1/m)Σ(x − μ_B)², then EMA⁽ᵗ⁾ = δ·batch⁽ᵗ⁾ + (1 − δ)·EMA⁽ᵗ⁻¹⁾. BATCH·3 has mean [6, 12] and
     * biased variance [9, 36].
     */
    @Test
    void notesEmaStartsAtTheFirstBatchWithItsBiasedVariance() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-5, BatchNorm1d.Momentum.notes(0.1), true, F64);
        bn.forward(Tensor.of(BATCH), Mode.train(null));
        assertArrayEquals(new double[] {2, 4}, bn.runningMean().value().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {1, 4}, bn.runningVar().value().toDoubleArray(), 1e-12);
        bn.forward(Tensor.of(BATCH.mul(3)), Mode.train(null));
        assertArrayEquals(new double[] {0.1 * 6 + 0.9 * 2, 0.1 * 12 + 0.9 * 4}, bn.runningMean().value().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0.1 * 9 + 0.9 * 1, 0.1 * 36 + 0.9 * 4}, bn.runningVar().value().toDoubleArray(), 1e-12);
    }

    @Test
    void anyConventionCanStartAtTheFirstBatch() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-5, BatchNorm1d.Momentum.pytorch(0.1).startingAtFirstBatch(), true, F64);
        bn.forward(Tensor.of(BATCH), Mode.train(null));
        assertArrayEquals(new double[] {2, 4}, bn.runningMean().value().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {2, 8}, bn.runningVar().value().toDoubleArray(), 1e-12); // PyTorch's: unbiased
        assertEquals("weight on new batch 0.1, starting at the first batch",
                BatchNorm1d.Momentum.pytorch(0.1).startingAtFirstBatch().toString());
    }

    /** num_batches_tracked travels in the state dict: a reloaded layer goes on averaging, it does not restart. */
    @Test
    void aReloadedLayerDoesNotStartAgainAtItsNextBatch() {
        BatchNorm1d trained = new BatchNorm1d(2, 1e-5, BatchNorm1d.Momentum.notes(0.1), true, F64);
        trained.forward(Tensor.of(BATCH), Mode.train(null));
        BatchNorm1d resumed = new BatchNorm1d(2, 1e-5, BatchNorm1d.Momentum.notes(0.1), true, F64);
        resumed.loadStateDict(trained.stateDict(), true);
        trained.forward(Tensor.of(BATCH.mul(3)), Mode.train(null));
        resumed.forward(Tensor.of(BATCH.mul(3)), Mode.train(null));
        assertArrayEquals(trained.runningMean().value().toDoubleArray(), resumed.runningMean().value().toDoubleArray());
        assertArrayEquals(trained.runningVar().value().toDoubleArray(), resumed.runningVar().value().toDoubleArray());
        assertArrayEquals(new double[] {2.4, 4.8}, resumed.runningMean().value().toDoubleArray(), 1e-12);
    }

    @Test
    void evaluationUsesRunningStatisticsAndChangesNothing() {
        BatchNorm1d bn = new BatchNorm1d(2, F64);
        bn.forward(Tensor.of(BATCH), Mode.train(null));
        double[] before = bn.runningMean().value().toDoubleArray();
        NdArray x = NdArray.of(new double[] {1, 1}, 1, 2); // a single example is fine in evaluation
        double[] y = bn.forward(Tensor.of(x), Mode.EVAL).value().toDoubleArray();
        assertArrayEquals(new double[] {(1 - 0.2) / Math.sqrt(1.1 + 1e-5), (1 - 0.4) / Math.sqrt(1.7 + 1e-5)}, y, 1e-12);
        assertArrayEquals(before, bn.runningMean().value().toDoubleArray());
        assertEquals(1, bn.stateDict().get("num_batches_tracked").item());
    }

    @Test
    void threeDimensionalInputNormalizesOverBatchAndLength() {
        BatchNorm1d bn = new BatchNorm1d(1, 1e-5, BatchNorm1d.Momentum.pytorch(1), false, F64);
        NdArray x = NdArray.of(new double[] {1, 2, 3, 6}, 2, 1, 2); // feature 0 sees 1, 2, 3, 6: mean 3
        bn.forward(Tensor.of(x), Mode.train(null));
        assertEquals(3, bn.runningMean().value().get(0), 1e-12);
        assertEquals((4 + 1 + 0 + 9) / 3.0, bn.runningVar().value().get(0), 1e-12);
    }

    @Test
    void rejectsBadInput() {
        BatchNorm1d bn = new BatchNorm1d(3, F64);
        ShapeException e = assertThrows(ShapeException.class,
                () -> bn.forward(Tensor.of(NdArray.zeros(F64, 4, 2)), Mode.EVAL));
        assertEquals("BatchNorm1d(3): input shape [4, 2] is not [N, 3] or [N, 3, L]", e.getMessage());
        assertThrows(ShapeException.class, () -> bn.forward(Tensor.of(NdArray.zeros(F64, 1, 3)), Mode.train(null)));
    }
}
