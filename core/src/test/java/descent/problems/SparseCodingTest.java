package descent.problems;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SparseCodingTest {

    private static final double LAMBDA = 0.5;

    private static double objective(NdArray h, NdArray w, NdArray x) {
        NdArray r = x.sub(h.matmul(w));
        double l1 = 0;
        for (double v : h.toDoubleArray()) {
            l1 += Math.abs(v);
        }
        return LAMBDA * l1 + r.mul(r).sum(false).item();
    }

    /** Every run visits H first, then W: a block order that followed Map.of's would change from one JVM to the next. */
    @Test
    void theFirstBlockStepMovesTheCodesFromTheSeededStart() {
        NdArray x = NdArray.randn(new SplittableRandom(1), DType.FLOAT64, 30, 6);
        SparseCoding.Result r = SparseCoding.solve(x, 3, LAMBDA, 2, 5, new SplittableRandom(7));
        SplittableRandom rng = new SplittableRandom(7);
        NdArray h0 = NdArray.randn(rng, DType.FLOAT64, 30, 3).mul(0.1);
        NdArray w0 = NdArray.randn(rng, DType.FLOAT64, 3, 6);
        NdArray h1 = SparseCoding.ista(h0, w0, x, LAMBDA, 5);
        List<Double> f = r.blockObjective();
        assertEquals(objective(h0, w0, x), f.get(0), 1e-9);
        assertEquals(objective(h1, w0, x), f.get(1), 1e-9, "the first block step is not ISTA on H with W fixed");
        assertEquals(objective(h1, SparseCoding.leastSquares(h1, x, 1e-10), x), f.get(2), 1e-9);
    }

    /** Each block step minimizes (W exactly) or majorizes-and-minimizes (ISTA on H), so none raises the objective. */
    @Test
    void noBlockStepRaisesTheObjective() {
        NdArray x = NdArray.randn(new SplittableRandom(3), DType.FLOAT64, 40, 8);
        SparseCoding.Result r = SparseCoding.solve(x, 4, LAMBDA, 15, 3, new SplittableRandom(4));
        List<Double> f = r.blockObjective();
        assertEquals(31, f.size());
        for (int i = 1; i < f.size(); i++) {
            assertTrue(f.get(i) <= f.get(i - 1) * (1 + 1e-12), "objective rose at block step " + i + ": " + f);
        }
        for (int s = 0; s < r.objective().size(); s++) {
            assertEquals(f.get(2 * s), r.objective().get(s));
        }
    }

    /** With weight decay μ the W block is ridge regression: its step lands where the gradient in W vanishes. */
    @Test
    void weightDecayMakesTheDictionaryStepARidgeRegression() {
        NdArray x = NdArray.randn(new SplittableRandom(5), DType.FLOAT64, 30, 6);
        double mu = 2;
        SparseCoding.Result r = SparseCoding.solve(x, 3, LAMBDA, mu, 4, 5, new SplittableRandom(6));
        NdArray h = r.codes();
        NdArray w = r.dictionary();
        // ∂/∂W (‖X − HW‖² + μ‖W‖²) = 2Hᵀ(HW − X) + 2μW = 0 after the last (W) step.
        NdArray grad = h.transpose(0, 1).matmul(h.matmul(w).sub(x)).add(w.mul(mu)).mul(2);
        assertTrue(grad.mul(grad).sum(false).item() < 1e-18, "gradient in W: " + grad);
        double penalty = objective(h, w, x) + mu * w.mul(w).sum(false).item();
        assertEquals(penalty, r.objective().getLast(), 1e-9 * penalty);
        for (int i = 1; i < r.blockObjective().size(); i++) {
            assertTrue(r.blockObjective().get(i) <= r.blockObjective().get(i - 1) * (1 + 1e-12));
        }
    }
}
