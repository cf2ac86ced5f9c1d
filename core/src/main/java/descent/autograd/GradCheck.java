package descent.autograd;

import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Checks analytic gradients against central finite differences, in float64 only.
 *
 * <p>The function's output is reduced to a scalar with fixed random weights, L = Σ f(x)·w, so one
 * backward pass checks the whole vector-Jacobian product; then every input element is moved by ±ε
 * and (L(x+ε) − L(x−ε)) / 2ε compared with the analytic derivative: |a − n| ≤ atol + rtol·|n|.
 * {@link #secondOrder} checks gradients of gradients the same way, differentiating Σ ∇L·v.
 */
public final class GradCheck {

    /** The outcome: whether every element passed, and the worst element found. */
    public record Result(boolean passed, double maxError, String worst) {
        @Override
        public String toString() {
            return (passed ? "passed" : "FAILED") + ", max |analytic - numeric| = " + maxError + " at " + worst;
        }
    }

    private GradCheck() {}

    public static Result check(Function<List<Tensor>, Tensor> f, List<NdArray> inputs,
                               double eps, double atol, double rtol) {
        for (NdArray x : inputs) {
            if (x.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("gradient checks need float64 inputs: float32 finite differences "
                        + "are dominated by rounding, got " + x.dtype());
            }
        }
        NdArray weights = NdArray.randn(new SplittableRandom(17), DType.FLOAT64, evaluate(f, inputs).shape());
        Function<List<Tensor>, Tensor> loss = xs -> f.apply(xs).mul(Tensor.of(weights)).sum();

        List<Tensor> params = new ArrayList<>();
        for (NdArray x : inputs) {
            params.add(Tensor.param(x));
        }
        List<Tensor> analytic = Autograd.grad(loss.apply(params), params, false);

        List<String> names = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        List<double[]> grads = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            names.add("input " + i);
            values.add(inputs.get(i).toDoubleArray());
            grads.add(analytic.get(i).value().toDoubleArray());
        }
        return compare(names, values, grads, (i, x) -> lossAt(loss, inputs, i, x), eps, atol, rtol);
    }

    /** The loss with value {@code index} replaced by {@code x}. */
    @FunctionalInterface
    public interface PerturbedLoss {
        double at(int index, double[] x);
    }

    /**
     * The shared core of every check: moves each element of each value by ±ε, takes the central
     * difference of {@code loss}, and compares it with the analytic derivative:
     * |a − n| ≤ atol + rtol·|n|. The arrays in {@code values} are restored before returning.
     */
    public static Result compare(List<String> names, List<double[]> values, List<double[]> analytic,
                                 PerturbedLoss loss, double eps, double atol, double rtol) {
        double worst = 0;
        String where = "nowhere";
        boolean passed = true;
        for (int i = 0; i < values.size(); i++) {
            double[] x = values.get(i);
            double[] a = analytic.get(i);
            for (int j = 0; j < x.length; j++) {
                double saved = x[j];
                x[j] = saved + eps;
                double plus = loss.at(i, x);
                x[j] = saved - eps;
                double minus = loss.at(i, x);
                x[j] = saved;
                double numeric = (plus - minus) / (2 * eps);
                double err = Math.abs(a[j] - numeric);
                if (Double.isNaN(err) || err > worst) {
                    worst = err;
                    where = names.get(i) + " element " + j + " (analytic " + a[j] + ", numeric " + numeric + ")";
                }
                passed &= err <= atol + rtol * Math.abs(numeric); // false for NaN
            }
        }
        return new Result(passed, worst, where);
    }

    /** Checks the derivative of x ↦ Σᵢ ∇ᵢL(x)·vᵢ, which exercises every rule's own derivative. */
    public static Result secondOrder(Function<List<Tensor>, Tensor> f, List<NdArray> inputs,
                                     double eps, double atol, double rtol) {
        SplittableRandom rng = new SplittableRandom(29);
        NdArray weights = NdArray.randn(rng, DType.FLOAT64, evaluate(f, inputs).shape());
        List<NdArray> directions = new ArrayList<>();
        for (NdArray x : inputs) {
            directions.add(NdArray.randn(rng, DType.FLOAT64, x.shape()));
        }
        Function<List<Tensor>, Tensor> gradDotV = xs -> {
            Tensor l = f.apply(xs).mul(Tensor.of(weights)).sum();
            List<Tensor> g = Autograd.grad(l, xs, true);
            Tensor s = Tensor.zeros(DType.FLOAT64);
            for (int i = 0; i < g.size(); i++) {
                s = s.add(g.get(i).mul(Tensor.of(directions.get(i))).sum());
            }
            return s;
        };
        return check(gradDotV, inputs, eps, atol, rtol);
    }

    private static double lossAt(Function<List<Tensor>, Tensor> loss, List<NdArray> inputs, int i, double[] x) {
        List<Tensor> xs = new ArrayList<>();
        for (int k = 0; k < inputs.size(); k++) {
            NdArray v = k == i ? NdArray.of(x, inputs.get(k).shape()) : inputs.get(k);
            // Second-order checks differentiate inside, so the inputs must be differentiable leaves.
            xs.add(Tensor.param(v));
        }
        return loss.apply(xs).item();
    }

    /** The function's value at the inputs, without recording a graph. */
    private static NdArray evaluate(Function<List<Tensor>, Tensor> f, List<NdArray> inputs) {
        List<Tensor> xs = new ArrayList<>();
        for (NdArray x : inputs) {
            xs.add(Tensor.of(x));
        }
        return f.apply(xs).value();
    }
}
