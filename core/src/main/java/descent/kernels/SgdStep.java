package descent.kernels;

/**
 * The scalars of one fused SGD step ({@link Kernels#sgd}): learning rate, L2 weight decay λ,
 * momentum μ (0 for none), dampening, and whether Nesterov's correction applies.
 */
public record SgdStep(double lr, double weightDecay, double momentum, double dampening, boolean nesterov) {

    /** 1 − dampening: the weight of the new gradient in the buffer. */
    public double keep() {
        return 1 - dampening;
    }

    /** −lr: what the direction is multiplied by before it is added to the parameter. */
    public double scale() {
        return -lr;
    }
}
