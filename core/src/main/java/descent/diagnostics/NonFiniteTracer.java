package descent.diagnostics;

import descent.autograd.Autograd;
import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.nn.Mode;
import descent.nn.Module;
import descent.tensor.NdArray;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Finds where a NaN or infinity first appears in a forward and backward pass, down to the layer
 * and the primitive op. Forward: the first layer (in execution order) whose output is non-finite,
 * and inside it an op whose inputs are all finite but whose value is not — the origin, not a
 * victim. Backward: gradients are computed for every node of the graph and visited in the order
 * the backward pass reaches them; the first non-finite one names the op whose vector-Jacobian
 * product produced it (for example Sqrt at 0, whose derivative is infinite).
 *
 * <p>This replays a step, so it is meant for after a cheap check has failed; {@code mode} must
 * reproduce the step's randomness (the same dropout generator state).
 */
public final class NonFiniteTracer {

    public enum Pass { FORWARD, BACKWARD }

    /**
     * Where the first non-finite value is. {@code layer} is a module's dotted name, "(loss)" for the
     * loss computation, or a parameter's name; {@code op} is the primitive ("Log", "MatMul", ...).
     */
    public record Finding(Pass pass, String layer, String module, String op, String description) {
        @Override
        public String toString() {
            return description;
        }
    }

    private static final String LOSS = "(loss)";

    private NonFiniteTracer() {}

    /** The first non-finite value of {@code loss(model(input))} and its gradients, or null if all are finite. */
    public static Finding trace(Module model, Tensor input, Mode mode, Function<Tensor, Tensor> loss) {
        for (var e : model.namedParameters().entrySet()) {
            if (!allFinite(e.getValue().value())) {
                return new Finding(Pass.FORWARD, e.getKey(), "parameter", "leaf",
                        "parameter " + e.getKey() + ", already non-finite before the step");
            }
        }
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Tensor value;
        try (var _ = GradMode.enableGrad()) {
            Tensor out = model.forward(input, mode, (name, module, output) -> {
                if (!name.isEmpty() && module.children().isEmpty() && !outputs.containsKey(name)) {
                    outputs.put(name, output);
                    types.put(name, module.getClass().getSimpleName());
                }
            });
            value = loss.apply(out);
        }
        Map<Tensor, String> owner = owners(outputs, value);
        for (var e : outputs.entrySet()) {
            if (!allFinite(e.getValue().value())) {
                String op = origin(e.getValue(), e.getKey(), owner);
                return new Finding(Pass.FORWARD, e.getKey(), types.get(e.getKey()), op, "the output of " + e.getKey()
                        + " (" + types.get(e.getKey()) + "), op " + op + ", forward pass");
            }
        }
        if (!allFinite(value.value())) {
            String op = origin(value, LOSS, owner);
            return new Finding(Pass.FORWARD, LOSS, "loss", op, "the loss, op " + op
                    + ", forward pass (the model's outputs are finite)");
        }
        if (!value.requiresGrad()) {
            return null;
        }
        List<Tensor> order = Autograd.topologicalOrder(value);
        List<Tensor> grads = Autograd.grad(value, order, false);
        Map<Tensor, Tensor> gradOf = new IdentityHashMap<>();
        Map<Tensor, List<Tensor>> consumers = new IdentityHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            gradOf.put(order.get(i), grads.get(i));
            for (Tensor in : order.get(i).inputs()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(order.get(i));
            }
        }
        // Reverse topological order is the order in which the backward pass finishes each gradient.
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor node = order.get(i);
            if (allFinite(gradOf.get(node).value())) {
                continue;
            }
            for (Tensor consumer : consumers.getOrDefault(node, List.of())) {
                if (allFinite(gradOf.get(consumer).value())) {
                    String layer = owner.getOrDefault(consumer, LOSS);
                    String type = layer.equals(LOSS) ? "loss" : types.get(layer);
                    return new Finding(Pass.BACKWARD, layer, type, consumer.opName(), "the gradient through "
                            + consumer.opName() + " in " + (layer.equals(LOSS) ? "the loss" : layer + " (" + type + ")")
                            + ", backward pass");
                }
            }
            String layer = owner.getOrDefault(node, LOSS);
            return new Finding(Pass.BACKWARD, layer, types.getOrDefault(layer, "loss"), node.opName(),
                    "the gradient of " + layer + " (non-finite as it entered the backward pass)");
        }
        return null;
    }

    public static boolean allFinite(NdArray a) {
        for (double v : a.toDoubleArray()) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Which layer computed each graph node: the first layer, in forward order, whose output reaches it. */
    private static Map<Tensor, String> owners(Map<String, Tensor> outputs, Tensor loss) {
        Map<Tensor, String> owner = new IdentityHashMap<>();
        outputs.forEach((name, out) -> claim(out, name, owner));
        claim(loss, LOSS, owner);
        return owner;
    }

    private static void claim(Tensor root, String name, Map<Tensor, String> owner) {
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Tensor t = stack.pop();
            if (t.isLeaf() || owner.containsKey(t)) {
                continue;
            }
            owner.put(t, name);
            t.inputs().forEach(stack::push);
        }
    }

    /** An op of {@code layer} whose value is non-finite although its inputs are finite. */
    private static String origin(Tensor output, String layer, Map<Tensor, String> owner) {
        for (Tensor t : Autograd.topologicalOrder(output)) {
            if (layer.equals(owner.get(t)) && !allFinite(t.value())
                    && t.inputs().stream().allMatch(in -> allFinite(in.value()))) {
                return t.opName();
            }
        }
        return output.opName();
    }
}
