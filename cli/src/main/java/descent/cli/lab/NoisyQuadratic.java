package descent.cli.lab;

import descent.autograd.Tensor;
import descent.optim.Optimizer;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.SplitMix64;

/**
 * f(θ) = ½‖θ‖² observed through noisy gradients θ + ξ, ξ ~ N(0, σ²I): the textbook problem on
 * which constant-step SGD settles at a noise floor. With θ ← (1−η)θ − ηξ its stationary variance
 * is ησ²/(2 − η) per coordinate, so E‖θ‖² = dησ²/(2 − η).
 */
public final class NoisyQuadratic {

    private final SplitMix64 rng;
    private final double sigma;

    public NoisyQuadratic(SplitMix64 rng, double sigma) {
        this.rng = rng;
        this.sigma = sigma;
    }

    /** One optimizer step on a fresh noisy gradient; returns ‖θ‖² after it. */
    public double step(Tensor theta, Optimizer opt) {
        opt.zeroGrad();
        NdArray noise = NdArray.randn(rng, DType.FLOAT64, theta.size()).mul(sigma);
        // ½‖θ‖² + ξ·θ has gradient θ + ξ.
        theta.mul(theta).sum().mul(0.5).add(theta.mul(Tensor.of(noise)).sum()).backward();
        opt.step();
        return squaredNorm(theta.value());
    }

    /** E‖θ‖² of constant-step SGD at equilibrium. */
    public static double floor(int d, double lr, double sigma) {
        return d * lr * sigma * sigma / (2 - lr);
    }

    public static double squaredNorm(NdArray a) {
        double s = 0;
        for (double v : a.toDoubleArray()) {
            s += v * v;
        }
        return s;
    }
}
