package descent.optim.fullbatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.problems.SparseCoding;
import descent.problems.TestFunction;
import descent.problems.Trajectory;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CoordinateDescentTest {

    @Test
    void exactCoordinateStepsMoveAlongOneAxisAtATime() {
        // On the ellipse ½(x² + 10y²) each exact coordinate step zeroes one coordinate.
        List<Trajectory.Point> path = Trajectory.run(TestFunction.ellipse(10), new double[] {2, 1}, 2,
                p -> FullBatch.coordinateDescent(p, false, 0, LineSearch.exact()));
        assertEquals(0, path.get(1).x(), 1e-12);
        assertEquals(1, path.get(1).y(), 0);
        assertEquals(0, path.get(2).y(), 1e-12);
        // A coupled quadratic needs many sweeps but gets there.
        List<Trajectory.Point> q = Trajectory.run(TestFunction.quadratic(2, 1, 1, 2, -1, 1), new double[] {3, 3}, 60,
                p -> FullBatch.coordinateDescent(p, true, 3, LineSearch.exact()));
        double[] min = TestFunction.quadratic(2, 1, 1, 2, -1, 1).minima().getFirst();
        assertEquals(min[0], q.getLast().x(), 1e-9);
        assertEquals(min[1], q.getLast().y(), 1e-9);
    }

    @Test
    void blockCoordinateDescentSolvesSparseCoding() {
        SplittableRandom rng = new SplittableRandom(11);
        // Data made from 4 atoms with sparse codes: each row uses at most two atoms.
        NdArray atoms = NdArray.randn(rng, DType.FLOAT64, 4, 12);
        double[] codes = new double[40 * 4];
        for (int i = 0; i < 40; i++) {
            codes[i * 4 + rng.nextInt(4)] = 1 + rng.nextDouble();
            codes[i * 4 + rng.nextInt(4)] = -(1 + rng.nextDouble());
        }
        NdArray x = NdArray.of(codes, 40, 4).matmul(atoms);
        SparseCoding.Result r = SparseCoding.solve(x, 4, 5, 40, 20, new SplittableRandom(2));
        List<Double> f = r.objective();
        for (int i = 1; i < f.size(); i++) {
            assertTrue(f.get(i) <= f.get(i - 1) * (1 + 1e-12), "objective rose at sweep " + i + ": " + f);
        }
        assertTrue(f.getLast() < 0.05 * f.getFirst(), "objective " + f.getFirst() + " -> " + f.getLast());
        long zeros = 0;
        for (double v : r.codes().toDoubleArray()) {
            zeros += v == 0 ? 1 : 0;
        }
        // Soft-thresholding makes exact zeros; the notes' objective does not bound W, so part of
        // the penalty is dodged by moving scale from H into W and the codes stay less sparse than the truth.
        assertTrue(zeros >= 10, zeros + " of 160 codes are exactly zero");
    }

    @Test
    void blocksMustPartitionTheParameters() {
        Map<String, Tensor> params = Map.of("a", Tensor.param(NdArray.zeros(DType.FLOAT64, 2)),
                "b", Tensor.param(NdArray.zeros(DType.FLOAT64, 2)));
        assertThrows(IllegalArgumentException.class, () -> CoordinateDescent.blocks(params,
                Map.of("one", List.of("a")), Map.of(), false, 0, LineSearch.exact()));
        assertThrows(IllegalArgumentException.class, () -> CoordinateDescent.blocks(params,
                Map.of("one", List.of("a", "b"), "two", List.of("b")), Map.of(), false, 0, LineSearch.exact()));
    }

    @Test
    void theDefaultExactSearchMakesProgressOffAQuadratic() {
        // From (0.5, 0.5) on Himmelblau's quartic the first secant step lands uphill; backtracking takes over.
        List<Trajectory.Point> path = Trajectory.run(TestFunction.himmelblau(), new double[] {0.5, 0.5}, 200,
                p -> FullBatch.coordinateDescent(p, false, 0, LineSearch.exact()));
        assertTrue(path.getLast().f() < 1e-8, "f = " + path.getLast().f() + " after 200 steps");
    }

    @Test
    void aRandomOrderRunResumedFromItsStateDrawsTheSameSweeps() {
        TestFunction fn = TestFunction.quadratic(2, 1, 1, 2, -1, 1);
        Tensor straight = Tensor.param(NdArray.of(new double[] {3, 3}, 2));
        CoordinateDescent a = FullBatch.coordinateDescent(Map.of("t", straight), true, 5, LineSearch.exact());
        for (int i = 0; i < 13; i++) {
            a.step(descent.optim.Objective.closure(Map.of("t", straight), () -> fn.f().apply(straight)));
        }
        Tensor resumed = Tensor.param(NdArray.of(new double[] {3, 3}, 2));
        CoordinateDescent b = FullBatch.coordinateDescent(Map.of("t", resumed), true, 5, LineSearch.exact());
        for (int i = 0; i < 5; i++) {
            b.step(descent.optim.Objective.closure(Map.of("t", resumed), () -> fn.f().apply(resumed)));
        }
        var saved = b.stateDict();
        Tensor fresh = Tensor.param(resumed.value().copy());
        CoordinateDescent c = FullBatch.coordinateDescent(Map.of("t", fresh), true, 5, LineSearch.exact());
        c.loadStateDict(saved);
        for (int i = 0; i < 8; i++) {
            c.step(descent.optim.Objective.closure(Map.of("t", fresh), () -> fn.f().apply(fresh)));
        }
        assertEquals(java.util.Arrays.toString(straight.value().toDoubleArray()),
                java.util.Arrays.toString(fresh.value().toDoubleArray()));
    }

    @Test
    void aSweepThatMovesNothingSignalsAStall() {
        Tensor t = Tensor.param(NdArray.of(new double[] {0, 0}, 2)); // the saddle point of x² − y²: zero gradient
        CoordinateDescent cd = FullBatch.coordinateDescent(Map.of("t", t), false, 0, LineSearch.exact());
        var closure = descent.optim.Objective.closure(Map.of("t", t), () -> TestFunction.saddle().f().apply(t));
        for (int i = 0; i < 3; i++) {
            cd.step(closure);
        }
        assertTrue(cd.stalled(), "a sweep of two zero-gradient coordinates moved nothing");
        Tensor away = Tensor.param(NdArray.of(new double[] {1, 1}, 2));
        CoordinateDescent moving = FullBatch.coordinateDescent(Map.of("t", away), false, 0, LineSearch.exact());
        var c2 = descent.optim.Objective.closure(Map.of("t", away), () -> TestFunction.ellipse(2).f().apply(away));
        for (int i = 0; i < 3; i++) {
            moving.step(c2);
        }
        assertTrue(!moving.stalled());
    }
}
