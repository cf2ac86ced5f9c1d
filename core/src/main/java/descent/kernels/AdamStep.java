package descent.kernels;

/**
 * The scalars of one fused Adam step ({@link Kernels#adam}): learning rate, L2 weight decay (added
 * to the gradient), decoupled weight decay (added to the direction), β₁, β₂, ε, and this step's
 * bias corrections c₁ = 1 − β₁ᵗ and c₂ = √(1 − β₂ᵗ) (both 1 without correction).
 */
public record AdamStep(double lr, double weightDecay, double decoupledDecay, double beta1, double beta2, double eps,
                       double firstCorrection, double secondCorrection) {

    /** 1 − β₁: the weight of the new gradient in m. */
    public double keep1() {
        return 1 - beta1;
    }

    /** 1 − β₂: the weight of the new squared gradient in v. */
    public double keep2() {
        return 1 - beta2;
    }

    /** 1 / c₁, which multiplies m. */
    public double inverseFirstCorrection() {
        return 1 / firstCorrection;
    }

    /** 1 / c₂, which multiplies √v. */
    public double inverseSecondCorrection() {
        return 1 / secondCorrection;
    }

    /** −lr: what the direction is multiplied by before it is added to the parameter. */
    public double scale() {
        return -lr;
    }
}
