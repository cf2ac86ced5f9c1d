package descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import descent.autograd.Tensor;
import descent.problems.TestFunction;
import descent.problems.Trajectory;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.SplitMix64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContinuationTest {

    private static final double[] A = {3, 1, 1, 2}; // symmetric positive definite
    private static final double[] B = {0.5, -1};

    /** ½θᵀAθ + bᵀθ. */
    private static Tensor quadratic(Tensor t) {
        Tensor at = Tensor.of(NdArray.of(A, 2, 2)).matmul(t.reshape(2, 1)).reshape(2);
        return t.mul(at).sum().mul(0.5).add(t.mul(Tensor.of(NdArray.of(B, 2))).sum());
    }

    @Test
    void atSigmaZeroTheBlurIsTheObjectiveItself() {
        Tensor theta = Tensor.param(NdArray.of(new double[] {0.3, -0.7}, 2));
        Map<String, Tensor> params = Map.of("theta", theta);
        Continuation.Family blur = Continuation.gaussianSmoothing(params, () -> TestFunction.rastrigin().apply(theta), 4,
                new SplitMix64(1));
        double value = blur.evaluate(0);
        double[] grad = theta.grad().value().toDoubleArray();
        double plain = Objective.closure(params, () -> TestFunction.rastrigin().apply(theta)).evaluate();
        assertEquals(plain, value, 0);
        assertArrayEquals(theta.grad().value().toDoubleArray(), grad, 0);
    }

    /**
     * On a quadratic the gradient is linear, so each antithetic pair averages to the exact
     * gradient; the loss gains σ²·tr(A)/2 on average.
     */
    @Test
    void antitheticPairsSmoothAQuadraticsGradientWithoutNoise() {
        double[] at = {0.8, -1.1};
        Tensor theta = Tensor.param(NdArray.of(at.clone(), 2));
        Map<String, Tensor> params = Map.of("theta", theta);
        Continuation.Family blur = Continuation.gaussianSmoothing(params, () -> quadratic(theta), 20000, new SplitMix64(2));
        double sigma = 0.5;
        double value = blur.evaluate(sigma);
        double[] exact = {A[0] * at[0] + A[1] * at[1] + B[0], A[2] * at[0] + A[3] * at[1] + B[1]};
        assertArrayEquals(exact, theta.grad().value().toDoubleArray(), 1e-12);
        assertArrayEquals(at, theta.value().toDoubleArray(), 0, "the parameters are restored");
        double plain = quadratic(Tensor.of(NdArray.of(at, 2))).item();
        // The estimate's spread: εᵀAε has variance 2·tr(A²) for ε ~ N(0, I); 40000 samples, 5 standard errors.
        double traceA2 = A[0] * A[0] + 2 * A[1] * A[2] + A[3] * A[3];
        double tolerance = 5 * 0.5 * sigma * sigma * Math.sqrt(2 * traceA2 / 40000);
        assertEquals(plain + sigma * sigma * (A[0] + A[3]) / 2, value, tolerance);
    }

    /** Rastrigin's blur is known in closed form: ∂/∂θᵢ = 2θᵢ + 20π·e^(−2π²σ²)·sin 2πθᵢ. */
    @Test
    void theBlurOfRastriginMatchesItsClosedForm() {
        double[] at = {0.2, -1.35};
        double sigma = 0.3;
        Tensor theta = Tensor.param(NdArray.of(at.clone(), 2));
        Continuation.Family blur = Continuation.gaussianSmoothing(Map.of("theta", theta),
                () -> TestFunction.rastrigin().apply(theta), 5000, new SplitMix64(3));
        blur.evaluate(sigma);
        double[] g = theta.grad().value().toDoubleArray();
        double fade = Math.exp(-2 * Math.PI * Math.PI * sigma * sigma);
        for (int i = 0; i < 2; i++) {
            double smoothed = 2 * at[i] + 20 * Math.PI * fade * Math.sin(2 * Math.PI * at[i]);
            double sharp = 2 * at[i] + 20 * Math.PI * Math.sin(2 * Math.PI * at[i]);
            // A pair's spread is at most 20π·0.71 = 44, so 5000 pairs leave 0.63: five of them, well short of the unblurred gap.
            assertEquals(smoothed, g[i], 3.2, "coordinate " + i);
            assertEquals(true, Math.abs(sharp - smoothed) > 10, "the test tells the blur from the function");
        }
    }

    @Test
    void eachStepGetsTheScheduledParameter() {
        List<Double> seen = new ArrayList<>();
        Continuation c = new Continuation(l -> {
            seen.add(l);
            return l;
        }, Schedules.polynomial(1, 0, 1, 4));
        for (long s = 0; s < 6; s++) {
            c.at(s).evaluate();
        }
        assertEquals(List.of(1.0, 0.75, 0.5, 0.25, 0.0, 0.0), seen);
    }

    @Test
    void theBlurAnnealedToTheFunctionFindsTheMinimumPlainDescentMisses() {
        TestFunction f = TestFunction.rastrigin();
        double[] start = {3.2, -2.8};
        Trajectory.Point stuck = Trajectory.run(f, start, 2000, p -> Optimizers.sgd(0.002).over(p)).getLast();
        Trajectory.Point found = Trajectory.run(f, start, 2000, p -> Optimizers.sgd(0.002).over(p),
                (p, objective) -> new Continuation(Continuation.gaussianSmoothing(p, objective, 4, new SplitMix64(5)),
                        Schedules.polynomial(1, 0, 1, 1500))).getLast();
        assertEquals(3, stuck.x(), 0.1);
        assertEquals(-3, stuck.y(), 0.1);
        assertEquals(0, found.x(), 1e-3);
        assertEquals(0, found.y(), 1e-3);
        assertEquals(0, found.f(), 1e-4);
    }

    @Test
    void badSettingsAreRefused() {
        Tensor theta = Tensor.param(NdArray.zeros(DType.FLOAT64, 2));
        Map<String, Tensor> params = Map.of("theta", theta);
        assertThrows(IllegalArgumentException.class,
                () -> Continuation.gaussianSmoothing(params, () -> theta.sum(), 0, new SplitMix64(1)));
        Continuation.Family blur = Continuation.gaussianSmoothing(params, () -> theta.sum(), 1, new SplitMix64(1));
        assertThrows(IllegalArgumentException.class, () -> blur.evaluate(-0.1));
        assertThrows(IllegalArgumentException.class, () -> blur.evaluate(Double.NaN));
    }
}
