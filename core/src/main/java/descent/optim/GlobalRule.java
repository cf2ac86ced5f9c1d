package descent.optim;

import descent.tensor.NdArray;
import java.util.Map;

/**
 * A pure update rule over all parameters at once, as Optax's transformations act on the whole
 * tree: what one parameter's update needs from the others (the global gradient norm) or when any
 * parameter should move at all (gradient accumulation). An {@link Optimizer} applies its global
 * rules in order to the gradients of every parameter that has one, then each parameter's own
 * {@link Rule}.
 *
 * @param <S> the rule's state, a record; an array component shaped like every parameter is a
 *            {@code Map<String, NdArray>} by parameter name
 */
public interface GlobalRule<S extends Record> {

    /** The state before the first step, for parameters with these values (by name). */
    S init(Map<String, NdArray> params);

    /** The updates to pass on (by name) and the next state; never changes its arguments. */
    Step<S> apply(Map<String, NdArray> updates, S state);

    /**
     * A global rule's output. {@code updates} null means hold: no parameter moves this time, and
     * the per-parameter rules do not see the step.
     */
    record Step<S>(Map<String, NdArray> updates, S state) {}
}
