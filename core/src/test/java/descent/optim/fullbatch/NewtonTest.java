package descent.optim.fullbatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.optim.Closure;
import descent.optim.Minimizer;
import descent.optim.Objective;
import descent.problems.TestFunction;
import descent.problems.Trajectory;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class NewtonTest {

    /** Newton's method of this variant with the defaults (α = 1, the variant's damping). */
    static Function<Map<String, Tensor>, Minimizer> newton(Newton.Variant variant) {
        return p -> FullBatch.newton(p, variant);
    }

    @Test
    void newtonSolvesAPositiveDefiniteQuadraticInOneStep() {
        TestFunction q = TestFunction.quadratic(3, 1, 1, 2, 1, -1);
        Trajectory.Point one = Trajectory.run(q, new double[] {5, -7}, 1, newton(Newton.Variant.PLAIN)).get(1);
        double[] min = q.minima().getFirst();
        assertEquals(min[0], one.x(), 1e-12);
        assertEquals(min[1], one.y(), 1e-12);
    }

    @Test
    void plainNewtonIsDrawnToTheSaddleWhileSaddleFreeNewtonEscapes() {
        Trajectory.Point plain = Trajectory.run(TestFunction.saddle(), new double[] {1, 0.01}, 3,
                newton(Newton.Variant.PLAIN)).getLast();
        assertEquals(0, plain.x(), 1e-15);
        assertEquals(0, plain.y(), 1e-15);
        List<Trajectory.Point> free = Trajectory.run(TestFunction.saddle(), new double[] {1, 0.01}, 6,
                newton(Newton.Variant.SADDLE_FREE));
        assertEquals(0, free.getLast().x(), 1e-15);
        assertEquals(0.01 * 64, Math.abs(free.getLast().y()), 1e-12, "y doubles each step: negative curvature repels");
        assertTrue(free.getLast().f() < -0.4);
    }

    /** The one step of default (safeguarded) Newton from {@code start}: where it went and how. */
    static Newton.Step oneStep(TestFunction fn, double[] start, double[] end) {
        Newton[] made = new Newton[1];
        Trajectory.Point p = Trajectory.run(fn, start, 1, params -> made[0] = FullBatch.newton(params, Newton.Variant.PLAIN))
                .get(1);
        end[0] = p.x();
        end[1] = p.y();
        return made[0].lastStep();
    }

    @Test
    void theSafeguardKeepsTheFullNewtonStepOnAnIllConditionedQuadratic() {
        // κ = 10⁸ from (10⁴, 1): the Newton step is at 89.99° to −g, yet it is the exact answer, and H is
        // positive definite, so the angle test must not replace it.
        double[] end = new double[2];
        Newton.Step step = oneStep(TestFunction.ellipse(1e8), new double[] {1e4, 1}, end);
        assertEquals(new Newton.Step(Newton.Direction.NEWTON, 1), step);
        assertArrayEquals(new double[] {0, 0}, end, 1e-9);
    }

    @Test
    void theSafeguardStillLetsPlainNewtonStepOntoADownhillSaddle() {
        double[] end = new double[2];
        assertEquals(new Newton.Step(Newton.Direction.NEWTON, 1), oneStep(TestFunction.saddle(), new double[] {1, 0.01}, end));
        assertArrayEquals(new double[] {0, 0}, end, 1e-15);
    }

    @Test
    void aGradientInTheHessiansNullSpaceFallsBackToSteepestDescent() {
        // f = x² + y at x = 0: H = diag(2, 0) and g = (0, 1), so −H⁺g = 0 does not move; −g does.
        double[] end = new double[2];
        Newton.Step step = oneStep(TestFunction.quadratic(2, 0, 0, 0, 0, 1), new double[] {0, 0}, end);
        assertEquals(new Newton.Step(Newton.Direction.STEEPEST_DESCENT, 1), step);
        assertArrayEquals(new double[] {0, -1}, end, 0);
    }

    @Test
    void optionsWithoutEffectAreRefused() {
        Map<String, Tensor> p = Map.of("p", Tensor.param(NdArray.zeros(DType.FLOAT64, 2)));
        var damping = assertThrows(IllegalArgumentException.class, () -> FullBatch.newton(p, Newton.Variant.PLAIN, 1, 0.1, 10));
        assertTrue(damping.getMessage().contains("plain Newton takes no damping"), damping.getMessage());
        var unguarded = assertThrows(IllegalArgumentException.class, () -> FullBatch.newton(p, Newton.Variant.DAMPED, 1,
                1e-3, 10, Newton.Safeguard.NONE));
        assertTrue(unguarded.getMessage().contains("Levenberg-Marquardt"), unguarded.getMessage());
    }

    @Test
    void dampedNewtonAndNewtonCgMinimizeRosenbrock() {
        Map<String, Function<Map<String, Tensor>, Minimizer>> methods = new LinkedHashMap<>();
        methods.put("damped-newton", newton(Newton.Variant.DAMPED));
        methods.put("newton-cg", FullBatch::newtonCg);
        for (var method : methods.entrySet()) {
            Trajectory.Point end = Trajectory.run(TestFunction.rosenbrock(), new double[] {-1.2, 1}, 100,
                    method.getValue()).getLast();
            assertEquals(1, end.x(), 1e-8, method.getKey());
            assertEquals(1, end.y(), 1e-8, method.getKey());
        }
    }

    @Test
    void oneNewtonStepSolvesLeastSquaresOverSeveralParameterTensors() {
        SplittableRandom rng = new SplittableRandom(4);
        Tensor x = Tensor.randn(rng, DType.FLOAT64, 20, 3);
        Tensor y = Tensor.randn(rng, DType.FLOAT64, 20, 2);
        Tensor w = Tensor.param(NdArray.zeros(DType.FLOAT64, 3, 2));
        Tensor b = Tensor.param(NdArray.zeros(DType.FLOAT64, 2));
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w", w);
        params.put("b", b);
        Objective mse = () -> x.matmul(w).add(b).sub(y).pow(2).mean();
        Newton newton = new Newton(params, Newton.Variant.PLAIN, 1, 0, 100, Newton.Safeguard.BACKTRACKING);
        Closure c = Objective.closure(params, mse);
        newton.step(c);
        c.evaluate();
        double[] gw = w.grad().value().toDoubleArray();
        double[] gb = b.grad().value().toDoubleArray();
        assertArrayEquals(new double[6], gw, 1e-12);
        assertArrayEquals(new double[2], gb, 1e-12);
    }

    @Test
    void refusesModelsTooLargeForADenseHessian() {
        Map<String, Tensor> big = Map.of("w", Tensor.param(NdArray.zeros(DType.FLOAT32, 100, 100)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FullBatch.newton(big, Newton.Variant.PLAIN, 1, 0, 5000));
        assertTrue(e.getMessage().contains("10000×10000 Hessian, above the limit of 5000"), e.getMessage());
        Minimizer plainClosure = FullBatch.newton(Map.of("p", Tensor.param(NdArray.zeros(DType.FLOAT64, 2))),
                Newton.Variant.PLAIN);
        assertThrows(IllegalArgumentException.class, () -> plainClosure.step(() -> 0));
    }

    @Test
    void denseLinearAlgebraIsCorrect() {
        int n = 7;
        SplittableRandom rng = new SplittableRandom(9);
        double[] m = NdArray.randn(rng, DType.FLOAT64, n, n).toDoubleArray();
        double[] a = new double[n * n]; // symmetric, indefinite
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i * n + j] = m[i * n + j] + m[j * n + i];
            }
        }
        double[] b = NdArray.randn(rng, DType.FLOAT64, n).toDoubleArray();
        double[] x = Dense.solve(a, n, b);
        assertArrayEquals(b, multiply(a, n, x), 1e-10);
        assertNull(Dense.cholesky(a, n), "an indefinite matrix has no Cholesky factor");

        Dense.Eigen e = Dense.symmetricEigen(a, n);
        for (int k = 0; k < n; k++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = e.vectors()[i * n + k];
            }
            double[] av = multiply(a, n, v);
            for (int i = 0; i < n; i++) {
                assertEquals(e.values()[k] * v[i], av[i], 1e-10, "A v = λ v for eigenpair " + k);
            }
            assertEquals(1, FlatParameters.dot(v, v), 1e-12);
        }

        double[] spd = new double[n * n]; // MᵀM + I
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    spd[i * n + j] += m[k * n + i] * m[k * n + j];
                }
            }
            spd[i * n + i] += 1;
        }
        double[] l = Dense.cholesky(spd, n);
        assertArrayEquals(b, multiply(spd, n, Dense.solveCholesky(l, n, b)), 1e-10);
        assertThrows(ArithmeticException.class, () -> Dense.solve(new double[] {1, 2, 2, 4}, 2, new double[] {1, 1}));
    }

    static double[] multiply(double[] a, int n, double[] x) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i] += a[i * n + j] * x[j];
            }
        }
        return out;
    }
}
