package descent.optim;

import descent.autograd.Tensor;
import descent.tensor.NdArray;
import java.util.Map;

/** Anything that improves parameters one step at a time given a {@link Closure}. */
public interface Minimizer {

    /** Takes one step; returns the loss the closure reported at the start of the step. */
    double step(Closure closure);

    /**
     * Whether the last step could not move the parameters (a line search that found no lower
     * point): at a minimum, or at the limit of precision. Methods without a search never stall.
     */
    default boolean stalled() {
        return false;
    }

    /** The parameters, by name. */
    Map<String, Tensor> parameters();

    /** The state to resume from, by parameter name. */
    Map<String, NdArray> stateDict();

    /** Restores a state saved by {@link #stateDict()}; every problem is reported at once. */
    void loadStateDict(Map<String, NdArray> state);
}
