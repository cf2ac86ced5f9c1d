package descent.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.kernels.Parallel;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class MatMulTest {

    @Test
    void matmulGradsAreTheTwoProductsBitForBitOnAnyNumberOfThreads() {
        SplittableRandom rng = new SplittableRandom(5);
        NdArray a = NdArray.randn(rng, DType.FLOAT32, 67, 90);
        // B as a Linear layer has it, Wᵀ: a transposed view, whose gradient comes out contiguous.
        NdArray w = NdArray.randn(rng, DType.FLOAT32, 71, 90);
        NdArray b = w.transpose(0, 1);
        NdArray g = NdArray.randn(rng, DType.FLOAT32, 67, 71);
        float[] gradA = g.matmul(b.transpose(0, 1)).toFloatArray();
        float[] gradB = a.transpose(0, 1).matmul(g).toFloatArray();
        for (int threads = 1; threads <= 3; threads++) {
            NdArray[] grads = onThreads(threads, () -> NdArray.matmulGrads(a, b, g, true, true));
            assertArrayEquals(gradA, grads[0].toFloatArray(), "A's gradient on " + threads + " threads");
            assertArrayEquals(gradB, grads[1].toFloatArray(), "B's gradient on " + threads + " threads");
            assertArrayEquals(b.shape(), grads[1].shape());
            assertTrue(grads[1].transpose(0, 1).isContiguous(), "B's gradient is laid out like W");
        }
    }

    @Test
    void matmulGradsOfABatchMatchTheProducts() {
        SplittableRandom rng = new SplittableRandom(6);
        NdArray a = NdArray.randn(rng, DType.FLOAT64, 3, 5, 7);
        NdArray b = NdArray.randn(rng, DType.FLOAT64, 3, 7, 4);
        NdArray g = NdArray.randn(rng, DType.FLOAT64, 3, 5, 4);
        NdArray[] grads = onThreads(2, () -> NdArray.matmulGrads(a, b, g, true, true));
        assertArrayEquals(g.matmul(b.transpose(-1, -2)).toDoubleArray(), grads[0].toDoubleArray(), 0.0);
        assertArrayEquals(a.transpose(-1, -2).matmul(g).toDoubleArray(), grads[1].toDoubleArray(), 0.0);
    }

    @Test
    void matmulGradsComputesOnlyWhatIsWanted() {
        SplittableRandom rng = new SplittableRandom(7);
        NdArray a = NdArray.randn(rng, DType.FLOAT64, 4, 3);
        NdArray b = NdArray.randn(rng, DType.FLOAT64, 3, 2);
        NdArray g = NdArray.randn(rng, DType.FLOAT64, 4, 2);
        NdArray[] onlyA = onThreads(2, () -> NdArray.matmulGrads(a, b, g, true, false));
        NdArray[] onlyB = onThreads(2, () -> NdArray.matmulGrads(a, b, g, false, true));
        assertArrayEquals(a.shape(), onlyA[0].shape());
        assertNull(onlyA[1]);
        assertNull(onlyB[0]);
        assertArrayEquals(b.shape(), onlyB[1].shape());
    }

    @Test
    void matmulGradsRejectsShapesThatAreNotAProduct() {
        NdArray a = NdArray.zeros(DType.FLOAT64, 4, 3);
        NdArray b = NdArray.zeros(DType.FLOAT64, 3, 2);
        assertThrows(ShapeException.class,
                () -> NdArray.matmulGrads(a, b, NdArray.zeros(DType.FLOAT64, 4, 3), true, true));
        assertThrows(ShapeException.class,
                () -> NdArray.matmulGrads(a, NdArray.zeros(DType.FLOAT64, 2, 3, 2), NdArray.zeros(DType.FLOAT64, 2, 4, 2),
                        true, true));
    }

    private static NdArray[] onThreads(int threads, Supplier<NdArray[]> body) {
        int previous = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            return body.get();
        } finally {
            Parallel.setThreads(previous);
        }
    }
}
