package descent.optim;

/**
 * Re-evaluates the objective at the parameters' current values: clears their gradients, computes
 * the loss, runs backward so every parameter's grad() holds ∂loss/∂parameter, and returns the
 * loss. Methods that look ahead or search along a line call it several times per step.
 */
@FunctionalInterface
public interface Closure {

    double evaluate();
}
