package descent.optim;

import descent.autograd.Tensor;
import java.util.Map;

/**
 * The first-order family with PyTorch's defaults, each a typed recipe whose {@code with...}
 * methods set the rest and whose {@code over(params)} gives the {@link Optimizer}:
 * <pre>{@code
 * Optimizer opt = Optimizers.adam(1e-3).withWeightDecay(1e-4).over(model.trainableParameters());
 * }</pre>
 * A learning rate given as a number is constant; {@code withSchedule} makes it any {@link Schedule}.
 * The full-batch methods are made by {@code descent.optim.fullbatch.FullBatch}.
 */
public final class Optimizers {

    private Optimizers() {}

    /** Plain SGD: θ ← θ − lr·g. */
    public static Sgd sgd(double lr) {
        return new Sgd(Schedules.constant(lr), 0, 0, false, 0, false, false, 0);
    }

    /** SGD with classic (heavy-ball) momentum μ. */
    public static Sgd momentum(double lr, double momentum) {
        return sgd(lr).withMomentum(momentum);
    }

    /** SGD with momentum μ and Nesterov's correction, in PyTorch's form. */
    public static Sgd nesterov(double lr, double momentum) {
        return momentum(lr, momentum).withNesterov(true);
    }

    /** Adam with β = (0.9, 0.999), ε = 1e-8, bias correction, no decay. */
    public static Adam adam(double lr) {
        return new Adam(Schedules.constant(lr), 0.9, 0.999, 1e-8, 0, false, false, true, 0);
    }

    /** Adam with AMSGrad's running maximum of v. */
    public static Adam amsgrad(double lr) {
        return adam(lr).withAmsgrad(true);
    }

    /** AdamW: Adam with decoupled weight decay λ (PyTorch's default is 0.01). */
    public static Adam adamw(double lr, double weightDecay) {
        return new Adam(Schedules.constant(lr), 0.9, 0.999, 1e-8, weightDecay, true, false, true, 0);
    }

    /** RMSProp with α = 0.99, ε = 1e-8. */
    public static RmsProp rmsprop(double lr) {
        return new RmsProp(Schedules.constant(lr), 0.99, 1e-8, 0, 0, false, 0);
    }

    /** AdaGrad with ε = 1e-10, the accumulator starting at 0, and the rate lr/(1 + t·lrDecay). */
    public static Adagrad adagrad(double lr, double lrDecay) {
        return new Adagrad(Schedules.inverseTime(lr, lrDecay), 0, 1e-10, 0, 0);
    }

    /** AdaDelta with ρ = 0.9, ε = 1e-6 (PyTorch's lr is 1.0). */
    public static Adadelta adadelta(double lr) {
        return new Adadelta(Schedules.constant(lr), 0.9, 1e-6, 0, 0);
    }

    /**
     * Nesterov momentum in the notes' look-ahead form as a trainable recipe, classic (u ← μu + g;
     * {@code withEmaForm} for u ← μu + (1 − μ)g): the parameters are kept at the look-ahead point,
     * so plain minibatch gradients serve; see {@link LookaheadMomentum} for what the parameters are.
     */
    public static LookaheadMomentum lookaheadMomentum(double lr, double momentum) {
        return new LookaheadMomentum(Schedules.constant(lr), momentum, false, 0, 0);
    }

    /**
     * Nesterov momentum in the notes' look-ahead form (the gradient at θ − lr·μ·u), classic
     * (u ← μu + g) or EMA (u ← μu + (1 − μ)g); it needs a closure to evaluate the moved point,
     * and its parameters are the notes' θ. {@link #lookaheadMomentum} is the same method for
     * minibatch training.
     */
    public static LookaheadNesterov nesterovLookahead(Map<String, Tensor> params, Schedule lr, double momentum,
                                                      boolean emaForm) {
        return new LookaheadNesterov(params, lr, momentum, emaForm);
    }
}
