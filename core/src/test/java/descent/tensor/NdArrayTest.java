package descent.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.kernels.BinaryOp;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NdArrayTest {

    private static NdArray range(DType t, int... shape) {
        return NdArray.arange(t, Shapes.size(shape)).reshape(shape);
    }

    @Test
    void viewsShareStorageAndHaveTheExpectedStrides() {
        NdArray a = range(DType.FLOAT64, 2, 3, 4);
        assertArrayEquals(new int[] {12, 4, 1}, a.strides());

        NdArray p = a.permute(2, 0, 1);
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        assertArrayEquals(new int[] {1, 12, 4}, p.strides());
        assertTrue(p.sharesStorage(a));
        assertFalse(p.isContiguous());
        assertEquals(a.get(1, 2, 3), p.get(3, 1, 2));

        NdArray e = NdArray.arange(DType.FLOAT64, 3).reshape(3, 1).expand(2, 3, 4);
        assertArrayEquals(new int[] {0, 1, 0}, e.strides());

        NdArray s = a.slice(2, 1, 4, 2);
        assertArrayEquals(new int[] {2, 3, 2}, s.shape());
        assertArrayEquals(new int[] {12, 4, 2}, s.strides());
        assertEquals(1, s.layout().offset());
        assertTrue(s.sharesStorage(a));
        assertEquals(a.get(1, 2, 3), s.get(1, 2, 1));

        NdArray sel = a.select(1, 2);
        assertArrayEquals(new int[] {2, 4}, sel.shape());
        assertEquals(8, sel.layout().offset());
        assertTrue(sel.sharesStorage(a));

        NdArray t = a.transpose(0, 2);
        assertArrayEquals(new int[] {4, 3, 2}, t.shape());
        assertTrue(t.sharesStorage(a));
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        NdArray a = range(DType.FLOAT32, 3, 4);
        assertSame(a, a.contiguous());
        NdArray t = a.transpose(0, 1).contiguous();
        assertFalse(t.sharesStorage(a));
        assertTrue(t.isContiguous());
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, t.toFloatArray());
    }

    @Test
    void reshapeIsAViewWhenStridesAllowAndACopyOtherwise() {
        NdArray a = range(DType.FLOAT64, 2, 3, 4);
        NdArray r = a.reshape(6, 4);
        assertTrue(r.sharesStorage(a));
        assertArrayEquals(new int[] {4, 1}, r.strides());
        assertTrue(a.reshape(-1).sharesStorage(a));
        // A slice along the last axis can still merge its leading axes...
        NdArray s = a.slice(2, 0, 2);
        NdArray rs = s.reshape(6, 2);
        assertTrue(rs.sharesStorage(a));
        assertArrayEquals(new int[] {4, 1}, rs.strides());
        // ...but not flatten the last axis into them.
        assertNull(s.layout().reshapeView(12));
        NdArray flat = s.reshape(12);
        assertFalse(flat.sharesStorage(a));
        assertArrayEquals(new double[] {0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21}, flat.toDoubleArray());
        // A transposed matrix reshaped with size-1 axes stays a view.
        NdArray t = range(DType.FLOAT64, 3, 4).transpose(0, 1);
        assertNotNull(t.layout().reshapeView(4, 1, 3));
        assertThrows(ShapeException.class, () -> a.reshape(5, 5));
    }

    @Test
    void broadcastingFollowsNumPy() {
        NdArray a = range(DType.FLOAT64, 2, 1, 3);
        NdArray b = range(DType.FLOAT64, 4, 1);
        NdArray c = a.add(b);
        assertArrayEquals(new int[] {2, 4, 3}, c.shape());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 3; k++) {
                    assertEquals(a.get(i, 0, k) + b.get(j, 0), c.get(i, j, k));
                }
            }
        }
        assertEquals(7.0, NdArray.scalar(DType.FLOAT64, 3).add(NdArray.scalar(DType.FLOAT64, 4)).item());
    }

    @Test
    void shapeErrorsNameTheOpAndBothShapes() {
        NdArray a = NdArray.zeros(DType.FLOAT32, 2, 3);
        NdArray b = NdArray.zeros(DType.FLOAT32, 4);
        ShapeException e = assertThrows(ShapeException.class, () -> a.mul(b));
        assertTrue(e.getMessage().contains("mul") && e.getMessage().contains("[2, 3]")
                && e.getMessage().contains("[4]"), e.getMessage());
        ShapeException m = assertThrows(ShapeException.class, () -> a.matmul(NdArray.zeros(DType.FLOAT32, 2, 3)));
        assertTrue(m.getMessage().startsWith("matmul") && m.getMessage().contains("[2, 3]"), m.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.add(NdArray.zeros(DType.FLOAT64, 2, 3)));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void reductionsOverAxes(DType t) {
        NdArray a = range(t, 2, 3, 4);
        assertEquals(276.0, a.sum(false).item());
        assertArrayEquals(new double[] {12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34},
                a.sum(false, 0).toDoubleArray());
        assertArrayEquals(new int[] {2, 1, 4}, a.sum(true, 1).shape());
        assertArrayEquals(new double[] {12, 15, 18, 21, 48, 51, 54, 57}, a.sum(false, 1).toDoubleArray());
        assertArrayEquals(new double[] {6, 22, 38, 54, 70, 86}, a.sum(false, -1).toDoubleArray());
        assertArrayEquals(new double[] {66, 210}, a.sum(false, 1, 2).toDoubleArray());
        assertArrayEquals(new double[] {3, 7, 11, 15, 19, 23}, a.max(false, 2).toDoubleArray());
        assertArrayEquals(new double[] {20, 21, 22, 23}, a.max(false, 0, 1).toDoubleArray());
        // Reductions of views read through the strides.
        assertArrayEquals(new double[] {12, 15, 18, 21, 48, 51, 54, 57},
                a.permute(1, 0, 2).sum(false, 0).toDoubleArray());
        NdArray m = NdArray.of(t, new double[] {1, 5, 5, -2, 0, -1}, 2, 3);
        assertArrayEquals(new double[] {1, 1}, m.argmax(1, false).toDoubleArray());
        assertArrayEquals(new double[] {0, 0, 0}, m.argmax(0, false).toDoubleArray());
    }

    @Test
    void matmulMatchesNaiveProducts() {
        SplittableRandom rng = new SplittableRandom(3);
        NdArray a = NdArray.randn(rng, DType.FLOAT64, 2, 3, 5);
        NdArray b = NdArray.randn(rng, DType.FLOAT64, 5, 4);
        NdArray c = a.matmul(b);
        assertArrayEquals(new int[] {2, 3, 4}, c.shape());
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    double s = 0;
                    for (int k = 0; k < 5; k++) {
                        s += a.get(t, i, k) * b.get(k, j);
                    }
                    assertEquals(s, c.get(t, i, j), 1e-12);
                }
            }
        }
        // Transposed views go to GEMM in place and give the same product as contiguous copies.
        NdArray bt = NdArray.randn(rng, DType.FLOAT64, 4, 5).transpose(0, 1);
        assertArrayEquals(a.matmul(bt.contiguous()).toDoubleArray(), a.matmul(bt).toDoubleArray(), 1e-12);
        NdArray v = NdArray.randn(rng, DType.FLOAT64, 5);
        assertArrayEquals(new int[] {2, 3}, a.matmul(v).shape());
        assertArrayEquals(new int[] {4}, v.matmul(b).shape());
        assertEquals(v.mul(v).sum(false).item(), v.matmul(v).item(), 1e-12);
    }

    @Test
    void stableLogSumExpAndIndexing() {
        NdArray big = NdArray.of(new double[] {1000, 1000, -1000, 0}, 2, 2);
        assertArrayEquals(new double[] {1000 + Math.log(2), Math.log1p(Math.exp(-1000))},
                big.logsumexp(1, false).toDoubleArray(), 1e-12);
        NdArray p = big.astype(DType.FLOAT32).softmax(1);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0f, 1f}, p.toFloatArray(), 1e-7f);
        NdArray allMinusInf = NdArray.full(DType.FLOAT64, Double.NEGATIVE_INFINITY, 1, 3);
        assertEquals(Double.NEGATIVE_INFINITY, allMinusInf.logsumexp(1, false).item());
        assertArrayEquals(new double[] {1.5, 5.5}, range(DType.FLOAT64, 2, 4).mean(false, 1).toDoubleArray());

        NdArray c = NdArray.concat(1, range(DType.FLOAT32, 2, 2), NdArray.ones(DType.FLOAT32, 2, 1));
        assertArrayEquals(new float[] {0, 1, 1, 2, 3, 1}, c.toFloatArray());
        NdArray g = range(DType.FLOAT64, 2, 3).gather(1, NdArray.of(new double[] {2, 0}, 2, 1));
        assertArrayEquals(new double[] {2, 3}, g.toDoubleArray());
        NdArray oneHot = NdArray.oneHot(DType.FLOAT32, new int[] {2, 0}, 3);
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, oneHot.toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> NdArray.oneHot(DType.FLOAT32, new int[] {3}, 3));
        NdArray w = NdArray.where(NdArray.of(new double[] {1, 0}, 2), NdArray.of(new double[] {5, 6}, 2),
                NdArray.scalar(DType.FLOAT64, -1));
        assertArrayEquals(new double[] {5, -1}, w.toDoubleArray());
        assertArrayEquals(new double[] {0, 1, 0}, NdArray.of(new double[] {1, 2, 3}, 3)
                .zip(BinaryOp.EQ, 2).toDoubleArray());
    }

    @Test
    void seededCreationIsReproducible() {
        NdArray a = NdArray.randn(new SplittableRandom(42), DType.FLOAT32, 3, 3);
        NdArray b = NdArray.randn(new SplittableRandom(42), DType.FLOAT32, 3, 3);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        assertArrayEquals(new double[] {1, 0, 0, 1}, NdArray.eye(DType.FLOAT64, 2).toDoubleArray());
        assertArrayEquals(new double[] {0, 0.5, 1, 1.5}, NdArray.arange(DType.FLOAT64, 0, 2, 0.5).toDoubleArray());
        assertArrayEquals(new double[] {7, 7}, NdArray.full(DType.FLOAT64, 7, 2).toDoubleArray());
    }
}
