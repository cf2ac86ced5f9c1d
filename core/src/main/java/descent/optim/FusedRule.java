package descent.optim;

import descent.tensor.NdArray;

/**
 * A rule that can also take its whole step in one pass over the parameter, writing the new
 * moments into its state's arrays. The recipes that train most models (SGD with momentum, Adam)
 * build such rules; the optimizer takes this path whenever a rule offers it. The numbers are
 * {@link #apply}'s bit for bit: the fused step only saves the passes and the arrays between them.
 */
public interface FusedRule<S extends Record> extends Rule<S> {

    /**
     * One step. The state's arrays belong to the caller alone (made by {@link #init}, loaded from a
     * copy, or left by an earlier fused step), so they are updated in place; the returned state has
     * the same arrays and its counters advanced. The new parameter is a new array.
     */
    Result<S> stepInPlace(NdArray grad, NdArray param, S state);

    /** The parameter after the step and the rule's next state. */
    record Result<S>(NdArray param, S state) {}
}
