package descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import org.junit.jupiter.api.Test;

class LossesTest {

    static Tensor t(double[] v, int... shape) {
        return Tensor.of(NdArray.of(v, shape));
    }

    @Test
    void crossEntropyMatchesTheDefinition() {
        double[] z = {1, 2, 3, 0, 0, 0};
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        double[] expected = {lse - 3, Math.log(3)};
        Tensor none = Losses.crossEntropy(t(z, 2, 3), new int[] {2, 1}, 0, Reduction.NONE);
        assertArrayEquals(expected, none.value().toDoubleArray(), 1e-12);
        assertEquals((expected[0] + expected[1]) / 2, Losses.crossEntropy(t(z, 2, 3), new int[] {2, 1}).item(), 1e-12);
    }

    @Test
    void labelSmoothingMixesInTheUniformTarget() {
        double[] z = {1, 2, 3};
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        double[] nll = {lse - 1, lse - 2, lse - 3};
        double eps = 0.3;
        double expected = (1 - eps) * nll[0] + eps * (nll[0] + nll[1] + nll[2]) / 3;
        assertEquals(expected, Losses.crossEntropy(t(z, 1, 3), new int[] {0}, eps, Reduction.MEAN).item(), 1e-12);
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor loss = Losses.crossEntropy(Tensor.of(NdArray.of(new float[] {1000, 0, -1000}, 1, 3)), new int[] {1});
        assertEquals(1000, loss.item(), 1e-3);
    }

    @Test
    void crossEntropyRejectsBadLabels() {
        Tensor z = Tensor.zeros(DType.FLOAT64, 2, 3);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Losses.crossEntropy(z, new int[] {0, 3}));
        assertEquals("crossEntropy: label 3 of example 1 is outside [0, 3)", e.getMessage());
        assertThrows(ShapeException.class, () -> Losses.crossEntropy(z, new int[] {0}));
    }

    @Test
    void mseAndItsReductions() {
        Tensor p = t(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor y = t(new double[] {0, 2, 5, 4}, 2, 2);
        assertEquals(5 / 4.0, Losses.mse(p, y).item(), 1e-15);
        assertEquals(5, Losses.mse(p, y, Reduction.SUM).item(), 1e-15);
        assertArrayEquals(new double[] {1, 0, 4, 0}, Losses.mse(p, y, Reduction.NONE).value().toDoubleArray());
        ShapeException e = assertThrows(ShapeException.class, () -> Losses.mse(p, t(new double[] {1, 2}, 2)));
        assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void binaryCrossEntropyWithLogitsIsFiniteEverywhere() {
        Tensor x = t(new double[] {-800, -1, 0, 2, 800}, 5);
        Tensor y = t(new double[] {1, 0, 1, 0.25, 0}, 5);
        double[] got = Losses.binaryCrossEntropyWithLogits(x, y, Reduction.NONE).value().toDoubleArray();
        double s2 = 1 / (1 + Math.exp(-2));
        double[] expected = {800, Math.log(1 + Math.exp(-1)), Math.log(2), -0.25 * Math.log(s2) - 0.75 * Math.log(1 - s2), 800};
        assertArrayEquals(expected, got, 1e-12);
    }
}
