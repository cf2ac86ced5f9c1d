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
        assertEquals(objective(h1, SparseCoding.leastSquares(h1, x), x), f.get(2), 1e-9);
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
}
