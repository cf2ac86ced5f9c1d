package descent.autograd;

import descent.kernels.BinaryOp;
import descent.kernels.UnaryOp;
import descent.tensor.NdArray;
import java.util.Arrays;

/**
 * Every vector-Jacobian product, in one table. Given a node's output {@code y}, its inputs and
 * the gradient {@code g} of the loss with respect to {@code y}, each rule returns the gradients
 * with respect to the inputs (null where an input needs none). Rules are written in
 * differentiable {@link Tensor} operations, so running them with recording on builds the graph
 * of the gradient itself. Masks (where relu is active, where a maximum sits) are constants:
 * their own derivative is zero almost everywhere.
 */
final class Derivatives {

    private Derivatives() {}

    /** The gradients of y's inputs, given the gradient g of y; y's own value appears where f' uses f. */
    static Tensor[] vjp(Tensor y, Tensor g) {
        Tensor[] in = y.inputs;
        Tensor a = in[0];
        Tensor b = in.length > 1 ? in[1] : null;
        return switch (y.op) {
            case Op.Add op -> new Tensor[] {g, g};
            case Op.Sub op -> new Tensor[] {g, g.neg()};
            case Op.Mul op -> new Tensor[] {g.mul(b), g.mul(a)};
            case Op.Div op -> new Tensor[] {g.div(b), wants(b) ? g.mul(a).div(b.mul(b)).neg() : null};
            case Op.Pow op -> new Tensor[] {
                    wants(a) ? g.mul(b).mul(a.pow(b.sub(1))) : null,
                    // d(a^b)/db = a^b·log a; only formed when asked, since log a is NaN for a < 0.
                    wants(b) ? g.mul(a.pow(b)).mul(a.log()) : null};
            case Op.Maximum op -> split(g, a, b, BinaryOp.GT);
            case Op.Minimum op -> split(g, a, b, BinaryOp.LT);
            case Op.Neg op -> new Tensor[] {g.neg()};
            case Op.Exp op -> new Tensor[] {g.mul(y)};
            case Op.Log op -> new Tensor[] {g.div(a)};
            case Op.Sqrt op -> new Tensor[] {g.div(y.mul(2))};
            case Op.Abs op -> new Tensor[] {g.mul(Tensor.of(a.value().map(UnaryOp.SIGN)))};
            case Op.Relu op -> new Tensor[] {g.mul(Tensor.of(a.value().zip(BinaryOp.GT, 0)))};
            case Op.Sigmoid op -> new Tensor[] {g.mul(y).mul(y.neg().add(1))};
            case Op.Tanh op -> new Tensor[] {g.mul(y.mul(y).neg().add(1))};
            case Op.Erf op -> new Tensor[] {g.mul(a.mul(a).neg().exp().mul(2 / Math.sqrt(Math.PI)))};
            case Op.Sin op -> new Tensor[] {g.mul(a.cos())};
            case Op.Cos op -> new Tensor[] {g.mul(a.sin()).neg()};
            case Op.Where op -> {
                Tensor zero = Tensor.zeros(g.dtype());
                yield new Tensor[] {Tensor.where(op.cond(), g, zero), Tensor.where(op.cond(), zero, g)};
            }
            case Op.Reshape op -> new Tensor[] {g.reshape(op.from())};
            case Op.Permute op -> new Tensor[] {g.permute(inverse(op.order()))};
            case Op.Expand op -> new Tensor[] {sumTo(g, op.from())};
            case Op.Slice op -> new Tensor[] {g.embed(op.axis(), op.start(), op.step(), op.from())};
            case Op.Embed op -> new Tensor[] {
                    g.slice(op.axis(), op.start(), op.start() + op.step() * (a.dim(op.axis()) - 1) + 1, op.step())};
            case Op.Concat op -> {
                Tensor[] out = new Tensor[in.length];
                for (int i = 0, at = 0; i < in.length; at += op.sizes()[i++]) {
                    out[i] = g.slice(op.axis(), at, at + op.sizes()[i]);
                }
                yield out;
            }
            case Op.Sum op -> new Tensor[] {g.reshape(keptShape(op.from(), op.axes())).expand(op.from())};
            case Op.Max op -> {
                int[] kept = keptShape(a.shape(), op.axes());
                NdArray hit = a.value().zip(BinaryOp.EQ, y.value().reshape(kept));
                NdArray share = hit.div(hit.sum(true, op.axes()));
                yield new Tensor[] {g.reshape(kept).expand(a.shape()).mul(Tensor.of(share))};
            }
            case Op.MatMul op -> matmulGrads(a, b, g);
            case Op.Gather op -> new Tensor[] {g.scatterAdd(op.axis(), op.index(), a.shape())};
            case Op.ScatterAdd op -> new Tensor[] {g.gather(op.axis(), op.index())};
        };
    }

    /**
     * The gradients of A and B in C = A·B: g·bᵀ and aᵀ·g. With no graph recorded they are plain
     * arrays, and the tensor layer computes them ({@link NdArray#matmulGrads}), both at once where
     * that is faster; with a graph they are the same products in differentiable operations.
     */
    private static Tensor[] matmulGrads(Tensor a, Tensor b, Tensor g) {
        if (!GradMode.isEnabled()) {
            NdArray[] v = NdArray.matmulGrads(a.value(), b.value(), g.value(), wants(a), wants(b));
            return new Tensor[] {v[0] != null ? Tensor.of(v[0]) : null, v[1] != null ? Tensor.of(v[1]) : null};
        }
        return new Tensor[] {
            wants(a) ? g.matmul(b.transpose(-1, -2)) : null,
            wants(b) ? matmulGradB(a, b, g) : null};
    }

    /**
     * The gradient of B in C = A·B, aᵀ·g, laid out like B: when B is a transposed view (a Linear
     * layer's Wᵀ) it is computed as (gᵀ·a)ᵀ, so the weight's own gradient arrives contiguous and
     * needs no transposing copy. Each element is the same sum in the same order either way, and the
     * same as {@link NdArray#matmulGrads} computes.
     */
    private static Tensor matmulGradB(Tensor a, Tensor b, Tensor g) {
        if (b.value().isTransposedMatrix()) {
            return g.transpose(-1, -2).matmul(a).transpose(-1, -2);
        }
        return a.transpose(-1, -2).matmul(g);
    }

    private static boolean wants(Tensor t) {
        return t.requiresGrad();
    }

    /** Gradient of max/min: to the winner, split evenly at ties. */
    private static Tensor[] split(Tensor g, Tensor a, Tensor b, BinaryOp wins) {
        NdArray av = a.value();
        NdArray bv = b.value();
        NdArray tie = av.zip(BinaryOp.EQ, bv).mul(0.5);
        NdArray toA = av.zip(wins, bv).add(tie);
        NdArray toB = bv.zip(wins, av).add(tie);
        return new Tensor[] {g.mul(Tensor.of(toA)), g.mul(Tensor.of(toB))};
    }

    /** Sums a broadcast gradient back to the shape it was broadcast from. */
    static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        int lead = gs.length - shape.length;
        int[] axes = new int[gs.length];
        int n = 0;
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) {
                axes[n++] = i;
            }
        }
        if (n == 0) {
            return g.reshape(shape);
        }
        return g.sum(true, Arrays.copyOf(axes, n)).reshape(shape);
    }

    private static int[] inverse(int[] order) {
        int[] inv = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inv[Math.floorMod(order[i], order.length)] = i;
        }
        return inv;
    }

    private static int[] keptShape(int[] shape, int[] axes) {
        int[] s = shape.clone();
        for (int a : axes) {
            s[a] = 1;
        }
        return s;
    }
}
