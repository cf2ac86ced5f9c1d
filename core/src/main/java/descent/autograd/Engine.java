package descent.autograd;

import descent.tensor.ShapeException;
import descent.tensor.Shapes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backward pass: sorts the graph below a root topologically (iteratively, so a graph
 * thousands of nodes deep does not overflow the stack), then visits nodes from the root down,
 * adding each node's vector-Jacobian products into its inputs' gradients.
 */
final class Engine {

    private Engine() {}

    /** Accumulates the gradient of root (seeded with seed) into every reachable leaf's grad. */
    static void backward(Tensor root, Tensor seed, boolean createGraph) {
        Map<Tensor, Tensor> grads = run(root, seed, createGraph);
        for (Map.Entry<Tensor, Tensor> e : grads.entrySet()) {
            Tensor t = e.getKey();
            if (t.isLeaf() && t.requiresGrad()) {
                // Leaf gradients are stored contiguous: optimizers read them several times each step.
                t.accumulateGrad(createGraph ? e.getValue() : Tensor.of(e.getValue().value().contiguous()));
            } else if (t.retainsGrad()) {
                t.accumulateGrad(e.getValue());
            }
        }
    }

    /** The gradient of root with respect to every tensor it depends on that requires one. */
    static Map<Tensor, Tensor> run(Tensor root, Tensor seed, boolean createGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor does not require grad and has no graph");
        }
        if (!Arrays.equals(root.shape(), seed.shape())) {
            throw new ShapeException("backward: seed shape " + Shapes.str(seed.shape())
                    + " differs from the output shape " + Shapes.str(root.shape()));
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (var _ = createGraph ? GradMode.enableGrad() : GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor node = order.get(i);
                Tensor g = grads.get(node);
                if (g == null || node.isLeaf()) {
                    continue;
                }
                Tensor[] inputGrads = Derivatives.vjp(node, g);
                for (int k = 0; k < node.inputs.length; k++) {
                    Tensor input = node.inputs[k];
                    if (input.requiresGrad() && inputGrads[k] != null) {
                        grads.merge(input, inputGrads[k], Tensor::add);
                    }
                }
            }
        }
        return grads;
    }

    /** Nodes that require grad, each after all of its inputs (depth-first post-order). */
    static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>();
        stack.push(root);
        next.push(0);
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Tensor t = stack.peek();
            int i = next.pop();
            if (i < t.inputs.length) {
                next.push(i + 1);
                Tensor child = t.inputs[i];
                if (child.requiresGrad() && visited.putIfAbsent(child, Boolean.TRUE) == null) {
                    stack.push(child);
                    next.push(0);
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
