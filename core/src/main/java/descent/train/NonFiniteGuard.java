package descent.train;

import descent.autograd.Tensor;
import descent.diagnostics.NonFiniteTracer;
import descent.nn.Mode;
import descent.nn.Module;
import java.util.Map;

/**
 * Finds where a non-finite value first appeared in a training step. The cheap test runs every
 * step (the loss and one sum per gradient, which is non-finite if any element is); only when it
 * fires is the step replayed, layer by layer, to name the place.
 */
final class NonFiniteGuard {

    private NonFiniteGuard() {}

    /** Whether the loss and every gradient are finite. */
    static boolean finite(double loss, Map<String, Tensor> params) {
        if (!Double.isFinite(loss)) {
            return false;
        }
        for (Tensor p : params.values()) {
            if (p.grad() != null && !Double.isFinite(p.grad().value().sum(false).item())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where the first non-finite value is, by {@link NonFiniteTracer}: a parameter that was already
     * non-finite, else the first layer and op in the forward pass, else the op whose backward rule
     * produced the first non-finite gradient. {@code mode} must replay the step's randomness.
     */
    static String locate(Module model, Tensor input, int[] labels, LossFunction lossFunction, Mode mode) {
        NonFiniteTracer.Finding f = NonFiniteTracer.trace(model, input, mode, out -> lossFunction.loss(out, labels));
        return f != null ? f.description()
                : "a gradient sum that overflowed float precision (every element is finite but huge)";
    }

}
