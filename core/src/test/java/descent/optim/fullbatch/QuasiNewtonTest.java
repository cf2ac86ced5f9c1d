package descent.optim.fullbatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.optim.Closure;
import descent.optim.Minimizer;
import descent.problems.TestFunction;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Line searches, conjugate gradients, BFGS and L-BFGS. */
class QuasiNewtonTest {

    static Closure closure(Tensor p, Function<Tensor, Tensor> f) {
        return () -> {
            p.zeroGrad();
            Tensor loss = f.apply(p);
            loss.backward();
            return loss.item();
        };
    }

    /** Iterations until ‖∇f‖ < tol at the accepted point (max if never). */
    static int iterationsToTolerance(Minimizer m, Tensor p, Function<Tensor, Tensor> f, double tol, int max) {
        Closure c = closure(p, f);
        for (int it = 1; it <= max; it++) {
            m.step(c);
            c.evaluate();
            double[] g = p.grad().value().toDoubleArray();
            if (Math.sqrt(FlatParameters.dot(g, g)) < tol) {
                return it;
            }
        }
        return max;
    }

    static int scipy(String method) throws IOException {
        try (InputStream in = QuasiNewtonTest.class.getResourceAsStream("scipy_rosenbrock.csv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] c = line.split(",");
                if (c[0].equals(method)) {
                    return Integer.parseInt(c[1]);
                }
            }
        }
        throw new IllegalStateException("no SciPy count for " + method);
    }

    @Test
    void bfgsLbfgsAndCgMinimizeRosenbrockInAboutAsManyIterationsAsSciPy() throws IOException {
        Function<Tensor, Tensor> rosen = TestFunction.rosenbrock()::apply;
        Object[][] methods = {
            {"bfgs", (Function<Map<String, Tensor>, Minimizer>) FullBatch::bfgs},
            {"lbfgs", (Function<Map<String, Tensor>, Minimizer>) p -> FullBatch.lbfgs(p, 10, LineSearch.strongWolfe())},
            {"cg", (Function<Map<String, Tensor>, Minimizer>) FullBatch::cg},
        };
        for (Object[] m : methods) {
            Tensor p = Tensor.param(NdArray.of(new double[] {-1.2, 1}, 2));
            @SuppressWarnings("unchecked")
            Minimizer opt = ((Function<Map<String, Tensor>, Minimizer>) m[1]).apply(Map.of("p", p));
            int ours = iterationsToTolerance(opt, p, rosen, 1e-8, 500);
            int theirs = scipy((String) m[0]);
            assertTrue(ours <= 1.5 * theirs + 5, m[0] + ": " + ours + " iterations, SciPy " + theirs);
            assertArrayEquals(new double[] {1, 1}, p.value().toDoubleArray(), 1e-7, (String) m[0]);
        }
    }

    @ParameterizedTest
    @EnumSource(ConjugateGradient.Beta.class)
    void cgWithExactLineSearchSolvesAQuadraticInNIterations(ConjugateGradient.Beta beta) {
        int n = 8;
        SplittableRandom rng = new SplittableRandom(3);
        NdArray m = NdArray.randn(rng, DType.FLOAT64, n, n);
        NdArray a = m.transpose(0, 1).matmul(m).add(NdArray.eye(DType.FLOAT64, n)); // symmetric positive definite
        NdArray b = NdArray.randn(rng, DType.FLOAT64, n);
        Function<Tensor, Tensor> f = x -> x.matmul(Tensor.of(a)).mul(x).sum().mul(0.5).sub(x.mul(Tensor.of(b)).sum());
        Tensor x = Tensor.param(NdArray.zeros(DType.FLOAT64, n));
        ConjugateGradient cg = new ConjugateGradient(Map.of("x", x), beta, 0, false, LineSearch.exact());
        Closure c = closure(x, f);
        double g0 = Math.sqrt(FlatParameters.dot(b.toDoubleArray(), b.toDoubleArray()));
        for (int i = 0; i < n; i++) {
            cg.step(c);
        }
        assertTrue(cg.gradientNorm() < 1e-8 * g0, beta + ": ‖g‖ = " + cg.gradientNorm() + " after " + n + " iterations");
        assertTrue(cg.restarts().isEmpty(), beta + " restarted: " + cg.restarts());
    }

    @Test
    void restartsAreRecordedWithTheirReason() {
        Tensor p = Tensor.param(NdArray.of(new double[] {-1.2, 1}, 2));
        ConjugateGradient cg = new ConjugateGradient(Map.of("p", p), ConjugateGradient.Beta.FR, 3, false,
                LineSearch.strongWolfe(1e-4, 0.1, 40));
        Closure c = closure(p, TestFunction.rosenbrock()::apply);
        for (int i = 0; i < 7; i++) {
            cg.step(c);
        }
        assertEquals(List.of(new ConjugateGradient.Restart(3, "every 3 iterations"),
                new ConjugateGradient.Restart(6, "every 3 iterations")), cg.restarts());
        ConjugateGradient powell = FullBatch.cg(Map.of("p", Tensor.param(NdArray.of(new double[] {-1.2, 1}, 2))));
        Tensor q = powell.parameters().get("p");
        iterationsToTolerance(powell, q, TestFunction.rosenbrock()::apply, 1e-8, 200);
        assertFalse(powell.restarts().isEmpty());
        assertTrue(powell.restarts().stream().allMatch(r -> r.reason().startsWith("Powell")
                || r.reason().equals("not a descent direction")), powell.restarts().toString());
    }

    /** φ(α) = (α − 3)² − 9 from α = 0: φ(0) = 0, φ'(0) = −6. */
    static final class Parabola implements LineSearch.Phi {
        double at;
        int evaluations;

        @Override
        public double value(double alpha) {
            at = alpha;
            evaluations++;
            return (alpha - 3) * (alpha - 3) - 9;
        }

        @Override
        public double slope() {
            return 2 * (at - 3);
        }
    }

    @Test
    void lineSearchesMeetTheirConditions() {
        Parabola phi = new Parabola();
        double a = LineSearch.armijo(0.5, 0.5, 20).search(phi, 0, -6, 16);
        assertEquals(2, a); // φ ≤ −3α fails at 16 (160), 8 (16) and 4 (−8 > −12); holds at 2 (−8 ≤ −6)

        for (double initial : new double[] {0.01, 1, 50}) {
            Parabola w = new Parabola();
            double alpha = LineSearch.strongWolfe(1e-4, 0.1, 40).search(w, 0, -6, initial);
            assertTrue(w.value(alpha) <= 1e-4 * alpha * -6, "sufficient decrease from " + initial);
            assertTrue(Math.abs(w.slope()) <= 0.1 * 6, "curvature from " + initial + ": α = " + alpha);
        }
        Parabola e = new Parabola();
        assertEquals(3, LineSearch.exact().search(e, 0, -6, 1), 1e-12);
    }
}
