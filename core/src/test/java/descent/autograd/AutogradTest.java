package descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.kernels.Parallel;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class AutogradTest {

    private static final double[] P = {4, 1, 0, 1, 3, -1, 0, -1, 2};
    private static final double[] Q = {1, -2, 0.5};

    /** f(θ) = ½θᵀPθ + qᵀθ. */
    private static Tensor quadratic(Tensor theta) {
        Tensor p = Tensor.of(NdArray.of(P, 3, 3));
        Tensor q = Tensor.of(NdArray.of(Q, 3));
        return theta.matmul(p).mul(theta).sum().mul(0.5).add(theta.mul(q).sum());
    }

    @Test
    void hessianOfAQuadraticIsExactlyP() {
        NdArray h = Autograd.hessian(AutogradTest::quadratic, NdArray.of(new double[] {0.3, -1.2, 2}, 3));
        // P is symmetric, so the rules compute ½(P + Pᵀ) = P with no rounding at all.
        assertArrayEquals(P, h.toDoubleArray(), 0.0);
    }

    @Test
    void gradientOfAQuadraticIsPThetaPlusQ() {
        Tensor theta = Tensor.param(NdArray.of(new double[] {1, 2, 3}, 3));
        quadratic(theta).backward();
        assertArrayEquals(new double[] {4 + 2 + 1, 1 + 6 - 3 - 2, -2 + 6 + 0.5}, theta.grad().value().toDoubleArray(),
                1e-12);
    }

    @Test
    void hessianVectorProductsMatchFiniteDifferencesOfGradients() {
        Function<Tensor, Tensor> f = t -> t.tanh().mul(t.sigmoid()).sum().add(t.pow(4).sum().mul(0.1));
        SplittableRandom rng = new SplittableRandom(5);
        NdArray theta = NdArray.randn(rng, DType.FLOAT64, 6);
        NdArray v = NdArray.randn(rng, DType.FLOAT64, 6);
        double[] hv = Autograd.hvp(f, theta, v).toDoubleArray();
        double eps = 1e-6;
        double[] plus = gradAt(f, theta.add(v.mul(eps)));
        double[] minus = gradAt(f, theta.sub(v.mul(eps)));
        for (int i = 0; i < hv.length; i++) {
            assertEquals((plus[i] - minus[i]) / (2 * eps), hv[i], 1e-6, "component " + i);
        }
        // And the HVP agrees with the exact Hessian times v.
        NdArray h = Autograd.hessian(f, theta);
        assertArrayEquals(h.matmul(v).toDoubleArray(), hv, 1e-12);
    }

    private static double[] gradAt(Function<Tensor, Tensor> f, NdArray at) {
        Tensor x = Tensor.param(at);
        return Autograd.grad(f.apply(x), x, false).value().toDoubleArray();
    }

    @Test
    void deepGraphsDoNotOverflowTheStack() {
        Tensor x = Tensor.param(NdArray.of(new double[] {0.5}, 1));
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) {
            y = y.mul(1.0);
        }
        y.sum().backward();
        assertEquals(1.0, x.grad().item());
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Tensor x = Tensor.param(NdArray.of(new double[] {2}, 1));
        x.mul(x).sum().backward();
        x.mul(3).sum().backward();
        assertEquals(4.0 + 3.0, x.grad().item());
        x.zeroGrad();
        assertNull(x.grad());
        // A value used twice in one graph gets both contributions.
        Tensor y = x.mul(x).add(x);
        y.sum().backward();
        assertEquals(5.0, x.grad().item());
    }

    @Test
    void noGradAndDetachRecordNothing() {
        Tensor x = Tensor.param(NdArray.of(new double[] {1, 2}, 2));
        try (var _ = GradMode.noGrad()) {
            assertFalse(x.mul(2).requiresGrad());
            try (var _ = GradMode.enableGrad()) {
                assertTrue(x.mul(2).requiresGrad());
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        Tensor d = x.mul(2).detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertThrows(IllegalStateException.class, () -> x.mul(2).requiresGrad(false));
        assertThrows(IllegalStateException.class, () -> d.sum().backward());
    }

    @Test
    void gradReturnsZerosForUnusedInputsAndLeavesGradAlone() {
        Tensor x = Tensor.param(NdArray.of(new double[] {1, 2}, 2));
        Tensor unused = Tensor.param(NdArray.of(new double[] {3}, 1));
        List<Tensor> g = Autograd.grad(x.exp().sum(), List.of(x, unused), false);
        assertArrayEquals(new double[] {Math.E, Math.exp(2)}, g.get(0).value().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0}, g.get(1).value().toDoubleArray());
        assertNull(x.grad());
    }

    @Test
    void thirdDerivativesComeFromTheSameRules() {
        // d³/dx³ x⁴ = 24x.
        Tensor x = Tensor.param(NdArray.of(new double[] {1.5}, 1));
        Tensor g1 = Autograd.grad(x.pow(4).sum(), x, true);
        Tensor g2 = Autograd.grad(g1.sum(), x, true);
        Tensor g3 = Autograd.grad(g2.sum(), x, false);
        assertEquals(24 * 1.5, g3.item(), 1e-9);
    }

    @Test
    void float32TrainingStepsAreReproducible() {
        assertArrayEquals(step(), step());
    }

    private static float[] step() {
        SplittableRandom rng = new SplittableRandom(11);
        Tensor w = Tensor.param(NdArray.randn(rng, DType.FLOAT32, 50, 40));
        Tensor x = Tensor.of(NdArray.randn(rng, DType.FLOAT32, 70, 50));
        x.matmul(w).relu().logSoftmax(1).mean().backward();
        return w.grad().value().toFloatArray();
    }

    @Test
    void matmulGradientsAreTheSameOnAnyNumberOfThreadsAndWithAGraph() {
        // Both operands want gradients, so on two threads without a graph the products run side by side.
        float[][] oneThread = layerGradients(1, false);
        float[][] twoThreads = layerGradients(2, false);
        float[][] threeThreads = layerGradients(3, false);
        float[][] recorded = layerGradients(2, true);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(oneThread[i], twoThreads[i], "gradient " + i + ", 1 and 2 threads");
            assertArrayEquals(oneThread[i], threeThreads[i], "gradient " + i + ", 1 and 3 threads");
            assertArrayEquals(oneThread[i], recorded[i], "gradient " + i + ", with and without a graph");
        }
    }

    /** Gradients of h, w (a transposed view, as in a Linear layer) and v for a two-layer product. */
    private static float[][] layerGradients(int threads, boolean createGraph) {
        int previous = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            SplittableRandom rng = new SplittableRandom(3);
            Tensor x = Tensor.of(NdArray.randn(rng, DType.FLOAT32, 96, 200));
            Tensor w = Tensor.param(NdArray.randn(rng, DType.FLOAT32, 150, 200));
            Tensor v = Tensor.param(NdArray.randn(rng, DType.FLOAT32, 150, 70));
            Tensor h = x.matmul(w.transpose(0, 1)).tanh();
            Tensor loss = h.matmul(v).relu().logSoftmax(1).mean();
            List<Tensor> g = Autograd.grad(loss, List.of(h, w, v), createGraph);
            return new float[][] {
                g.get(0).value().toFloatArray(), g.get(1).value().toFloatArray(), g.get(2).value().toFloatArray()};
        } finally {
            Parallel.setThreads(previous);
        }
    }
}
