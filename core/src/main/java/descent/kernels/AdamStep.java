package descent.kernels;

/**
 * The scalars of one fused Adam step ({@link Kernels#adam}): learning rate, L2 weight decay (added
 * to the gradient), decoupled weight decay (added to the direction), β₁, β₂, ε, and this step's
 * bias corrections c₁ = 1 − β₁ᵗ and c₂ = √(1 − β₂ᵗ) (both 1 without correction).
 */
public record AdamStep(double lr, double weightDecay, double decoupledDecay, double beta1, double beta2, double eps,
                       double firstCorrection, double secondCorrection) {}
