package descent.autograd;

import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Functional derivatives: gradients without side effects, Hessian-vector products, exact Hessians. */
public final class Autograd {

    private Autograd() {}

    /**
     * The gradients of a scalar output with respect to the inputs, in order; zeros for an input the
     * output does not depend on. Leaves' {@code grad()} is untouched. With {@code createGraph} the
     * gradients carry a graph and can be differentiated again.
     */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, boolean createGraph) {
        if (output.size() != 1) {
            throw new ShapeException("grad: output shape " + Shapes.str(output.shape()) + " is not a scalar");
        }
        Tensor seed = Tensor.of(NdArray.ones(output.dtype(), output.shape()));
        Map<Tensor, Tensor> grads = output.requiresGrad() ? Engine.run(output, seed, createGraph) : Map.of();
        List<Tensor> out = new ArrayList<>(inputs.size());
        for (Tensor in : inputs) {
            Tensor g = grads.get(in);
            if (g == null) {
                g = Tensor.zeros(in.dtype(), in.shape());
            }
            out.add(createGraph ? g : g.detach());
        }
        return out;
    }

    /**
     * Every node below {@code root} that requires grad (and root), each after its inputs: the order
     * in which they were computed, reversed by the backward pass. For tools that walk the graph.
     */
    public static List<Tensor> topologicalOrder(Tensor root) {
        return Engine.topologicalOrder(root);
    }

    /** The gradient of a scalar output with respect to one input. */
    public static Tensor grad(Tensor output, Tensor input, boolean createGraph) {
        return grad(output, List.of(input), createGraph).get(0);
    }

    /** The Hessian-vector product ∇²f(θ)·v by double backward: ∇θ (∇θ f · v). Never forms the Hessian. */
    public static NdArray hvp(Function<Tensor, Tensor> f, NdArray theta, NdArray v) {
        if (!java.util.Arrays.equals(theta.shape(), v.shape())) {
            throw new ShapeException("hvp: point shape " + Shapes.str(theta.shape()) + " and vector shape "
                    + Shapes.str(v.shape()) + " differ");
        }
        Tensor x = Tensor.param(theta);
        Tensor g = grad(f.apply(x), x, true);
        return grad(g.mul(Tensor.of(v)).sum(), x, false).value();
    }

    /**
     * The exact Hessian of a scalar function of a vector θ of n elements, as an n×n array: row i is
     * the gradient of ∂f/∂θᵢ, by double backward. Costs n backward passes: for small n.
     */
    public static NdArray hessian(Function<Tensor, Tensor> f, NdArray theta) {
        if (theta.rank() != 1) {
            throw new ShapeException("hessian: θ must be a vector, got shape " + Shapes.str(theta.shape()));
        }
        int n = theta.dim(0);
        Tensor x = Tensor.param(theta);
        Tensor g = grad(f.apply(x), x, true);
        NdArray[] rows = new NdArray[n];
        for (int i = 0; i < n; i++) {
            Tensor gi = g.select(0, i);
            rows[i] = (gi.requiresGrad() ? grad(gi, x, false).value() : NdArray.zeros(theta.dtype(), n)).reshape(1, n);
        }
        return n == 0 ? NdArray.zeros(theta.dtype(), 0, 0) : NdArray.concat(0, rows);
    }
}
