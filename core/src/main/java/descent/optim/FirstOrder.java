package descent.optim;

import descent.autograd.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A first-order method's hyper-parameters, as a record: it builds the per-parameter rule (a
 * {@link FusedRule} where the method has a one-pass step). {@link Optimizers} makes one with
 * PyTorch's defaults; {@code with...} methods change the rest.
 */
public sealed interface FirstOrder permits Sgd, Adam, RmsProp, Adagrad, Adadelta, LookaheadMomentum {

    /** The update rule for one parameter. */
    Rule<Rule.ChainState> rule();

    /** λ of the method's weight decay (L2 or decoupled), 0 for none. */
    double weightDecay();

    /** The same method with weight decay λ: with 0, the rule for biases and normalization parameters. */
    FirstOrder withWeightDecay(double lambda);

    /** An optimizer applying this method to every parameter, after the global rules in order. */
    default Optimizer over(Map<String, Tensor> params, GlobalRule<?>... globalRules) {
        return new Optimizer(List.of(new Optimizer.Group(params, rule())), List.of(globalRules));
    }
}
