package descent.train;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.nn.Mode;
import descent.nn.Module;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.List;
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
     * Where the first non-finite value is: a parameter that was already non-finite, the first layer
     * output in forward order, the loss, or, if the forward pass was finite, the gradient nearest the
     * output (the backward pass reaches it first). {@code mode} must replay the step's randomness.
     */
    static String locate(Module model, Map<String, Tensor> params, Tensor input, int[] labels,
                         LossFunction lossFunction, Mode mode) {
        for (var e : params.entrySet()) {
            if (!allFinite(e.getValue().value())) {
                return "parameter " + e.getKey() + ", already non-finite before the step";
            }
        }
        List<String> firstBad = new ArrayList<>();
        Tensor out;
        Tensor loss;
        try (var no = GradMode.noGrad()) {
            out = model.forward(input, mode, (name, module, output) -> {
                if (firstBad.isEmpty() && !allFinite(output.value())) {
                    firstBad.add("the output of " + (name.isEmpty() ? "the model" : name) + " ("
                            + module.getClass().getSimpleName() + "), forward pass");
                }
            });
            loss = lossFunction.loss(out, labels);
        }
        if (!firstBad.isEmpty()) {
            return firstBad.getFirst();
        }
        if (!Double.isFinite(loss.item())) {
            return "the loss (the model's outputs are finite), forward pass";
        }
        List<String> names = new ArrayList<>(params.keySet());
        for (int i = names.size() - 1; i >= 0; i--) {
            Tensor g = params.get(names.get(i)).grad();
            if (g != null && !allFinite(g.value())) {
                return "the gradient of " + names.get(i) + ", backward pass";
            }
        }
        return "a gradient sum that overflowed float precision (every element is finite but huge)";
    }

    static boolean allFinite(NdArray a) {
        for (double v : a.toDoubleArray()) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
