package descent.optim;

import descent.autograd.Tensor;
import java.util.Map;

/**
 * The loss as a graph over the parameters' current values. Second-order methods need it rather
 * than a plain {@link Closure}: they differentiate the gradient again for Hessians and
 * Hessian-vector products. {@link #closure} gives the matching first-order closure.
 */
@FunctionalInterface
public interface Objective {

    Tensor loss();

    /** A closure that clears the parameters' gradients, evaluates the loss and runs backward. */
    static Closure closure(Map<String, Tensor> params, Objective objective) {
        return new WithObjective(params, objective);
    }

    /** A closure that also carries its objective, for methods that need one. */
    record WithObjective(Map<String, Tensor> params, Objective objective) implements Closure {
        @Override
        public double evaluate() {
            params.values().forEach(Tensor::zeroGrad);
            Tensor loss = objective.loss();
            loss.backward();
            return loss.item();
        }
    }
}
