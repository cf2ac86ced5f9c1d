package descent.autograd;

import descent.kernels.BinaryOp;
import descent.kernels.UnaryOp;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A differentiable tensor: an {@link NdArray} value and, when it was computed from tensors that
 * require gradients, the node (primitive op and inputs) that made it.
 *
 * <p>Operations record a node when grad mode is on ({@link GradMode}) and any input requires a
 * gradient. {@link #backward()} accumulates gradients into the {@link #grad()} of leaf tensors
 * that require them; {@link Autograd#grad} returns gradients without touching {@code grad()}, and
 * with {@code createGraph} the gradients are themselves differentiable.
 */
public final class Tensor {

    private NdArray value;
    final Op op;
    final Tensor[] inputs;
    private boolean requiresGrad;
    private boolean retainsGrad;
    private Tensor grad;

    private Tensor(NdArray value, Op op, Tensor[] inputs, boolean requiresGrad) {
        this.value = value;
        this.op = op;
        this.inputs = inputs;
        this.requiresGrad = requiresGrad;
    }

    // ---------------------------------------------------------------- creation

    /** A leaf tensor that does not require gradients. */
    public static Tensor of(NdArray value) {
        return new Tensor(value, null, new Tensor[0], false);
    }

    /** A leaf tensor that requires gradients: a parameter or an input to differentiate by. */
    public static Tensor param(NdArray value) {
        return new Tensor(value, null, new Tensor[0], true);
    }

    public static Tensor of(double[] data, int... shape) {
        return of(NdArray.of(data, shape));
    }

    public static Tensor of(float[] data, int... shape) {
        return of(NdArray.of(data, shape));
    }

    public static Tensor scalar(DType dtype, double v) {
        return of(NdArray.scalar(dtype, v));
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return of(NdArray.zeros(dtype, shape));
    }

    public static Tensor ones(DType dtype, int... shape) {
        return of(NdArray.ones(dtype, shape));
    }

    public static Tensor randn(RandomGenerator rng, DType dtype, int... shape) {
        return of(NdArray.randn(rng, dtype, shape));
    }

    public static Tensor rand(RandomGenerator rng, DType dtype, int... shape) {
        return of(NdArray.rand(rng, dtype, shape));
    }

    /** Records a node if grad mode is on and any input requires a gradient. */
    static Tensor record(NdArray value, Op op, Tensor... inputs) {
        if (GradMode.isEnabled()) {
            for (Tensor t : inputs) {
                if (t.requiresGrad) {
                    return new Tensor(value, op, inputs, true);
                }
            }
        }
        return of(value);
    }

    // ---------------------------------------------------------------- properties

    public NdArray value() {
        return value;
    }

    public DType dtype() {
        return value.dtype();
    }

    public int[] shape() {
        return value.shape();
    }

    public int rank() {
        return value.rank();
    }

    public int dim(int axis) {
        return value.dim(axis);
    }

    public int size() {
        return value.size();
    }

    /**
     * Replaces the value of a leaf tensor (a parameter or buffer) by an array of the same shape and
     * dtype: how optimizers step and state dicts load. Graphs already built from the old value
     * keep it, so assign between a backward pass and the next forward pass, not in the middle.
     */
    public void assign(NdArray newValue) {
        if (!isLeaf()) {
            throw new IllegalStateException("assign: only leaf tensors (parameters, buffers) can be assigned");
        }
        if (newValue.dtype() != dtype() || !Arrays.equals(newValue.shape(), shape())) {
            throw new ShapeException("assign: new value " + newValue.dtype() + Shapes.str(newValue.shape())
                    + " does not match " + dtype() + Shapes.str(shape()));
        }
        value = newValue;
    }

    /** The value of a one-element tensor. */
    public double item() {
        return value.item();
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Whether this tensor was made by the user rather than computed by a recorded op. */
    public boolean isLeaf() {
        return op == null;
    }

    /** Turns gradient tracking on or off for a leaf tensor; returns this. */
    public Tensor requiresGrad(boolean on) {
        if (!isLeaf()) {
            throw new IllegalStateException("requiresGrad can only be set on leaf tensors; use detach() first");
        }
        requiresGrad = on;
        return this;
    }

    /**
     * Keeps this intermediate result's gradient after {@link #backward()}, as leaves do (PyTorch's
     * {@code retain_grad}); diagnostics use it to see the gradient with respect to a layer's output.
     * A no-op on leaves and on tensors that do not require grad.
     */
    public Tensor retainGrad() {
        retainsGrad = !isLeaf() && requiresGrad;
        return this;
    }

    boolean retainsGrad() {
        return retainsGrad;
    }

    /** The primitive that computed this tensor ("Add", "MatMul", ...), or "leaf". */
    public String opName() {
        return op == null ? "leaf" : op.getClass().getSimpleName();
    }

    /** The tensors this one was computed from (empty for a leaf), for walking the graph. */
    public List<Tensor> inputs() {
        return List.of(inputs);
    }

    /** The accumulated gradient, or null before any backward pass reached this leaf. */
    public Tensor grad() {
        return grad;
    }

    /** Forgets the accumulated gradient. */
    public void zeroGrad() {
        grad = null;
    }

    void accumulateGrad(Tensor g) {
        grad = grad == null ? g : grad.add(g);
    }

    /** The same value as a new leaf that does not require gradients. */
    public Tensor detach() {
        return of(value);
    }

    // ---------------------------------------------------------------- backward

    /** Accumulates d(this)/d(leaf) into every leaf's grad; this must hold one element. */
    public void backward() {
        if (size() != 1) {
            throw new ShapeException("backward: shape " + Shapes.str(shape())
                    + " is not a scalar; pass the output gradient to backward(seed)");
        }
        backward(Tensor.of(NdArray.ones(dtype(), shape())));
    }

    /** Accumulates the vector-Jacobian product with {@code seed} into every leaf's grad. */
    public void backward(Tensor seed) {
        Engine.backward(this, seed, false);
    }

    // ---------------------------------------------------------------- elementwise

    private Tensor binary(Op op, BinaryOp kernel, String name, Tensor other) {
        int[] shape = Shapes.broadcast(name, shape(), other.shape());
        Tensor a = expand(shape);
        Tensor b = other.expand(shape);
        return record(a.value.zip(kernel, b.value), op, a, b);
    }

    private Tensor constant(double v) {
        return scalar(dtype(), v);
    }

    public Tensor add(Tensor o) {
        return binary(new Op.Add(), BinaryOp.ADD, "add", o);
    }

    public Tensor sub(Tensor o) {
        return binary(new Op.Sub(), BinaryOp.SUB, "sub", o);
    }

    public Tensor mul(Tensor o) {
        return binary(new Op.Mul(), BinaryOp.MUL, "mul", o);
    }

    public Tensor div(Tensor o) {
        return binary(new Op.Div(), BinaryOp.DIV, "div", o);
    }

    /** this^o elementwise. */
    public Tensor pow(Tensor o) {
        return binary(new Op.Pow(), BinaryOp.POW, "pow", o);
    }

    /** Elementwise maximum; at ties the gradient is split evenly. */
    public Tensor maximum(Tensor o) {
        return binary(new Op.Maximum(), BinaryOp.MAX, "maximum", o);
    }

    /** Elementwise minimum; at ties the gradient is split evenly. */
    public Tensor minimum(Tensor o) {
        return binary(new Op.Minimum(), BinaryOp.MIN, "minimum", o);
    }

    public Tensor add(double s) {
        return add(constant(s));
    }

    public Tensor sub(double s) {
        return sub(constant(s));
    }

    public Tensor mul(double s) {
        return mul(constant(s));
    }

    public Tensor div(double s) {
        return div(constant(s));
    }

    public Tensor pow(double s) {
        return pow(constant(s));
    }

    /** Limits every element to [lo, hi]. */
    public Tensor clamp(double lo, double hi) {
        if (lo > hi) {
            throw new IllegalArgumentException("clamp: lower bound " + lo + " exceeds upper bound " + hi);
        }
        return maximum(constant(lo)).minimum(constant(hi));
    }

    private Tensor unary(Op op, UnaryOp kernel) {
        return record(value.map(kernel), op, this);
    }

    public Tensor neg() {
        return unary(new Op.Neg(), UnaryOp.NEG);
    }

    public Tensor exp() {
        return unary(new Op.Exp(), UnaryOp.EXP);
    }

    public Tensor log() {
        return unary(new Op.Log(), UnaryOp.LOG);
    }

    public Tensor sqrt() {
        return unary(new Op.Sqrt(), UnaryOp.SQRT);
    }

    public Tensor abs() {
        return unary(new Op.Abs(), UnaryOp.ABS);
    }

    public Tensor relu() {
        return unary(new Op.Relu(), UnaryOp.RELU);
    }

    public Tensor sigmoid() {
        return unary(new Op.Sigmoid(), UnaryOp.SIGMOID);
    }

    public Tensor tanh() {
        return unary(new Op.Tanh(), UnaryOp.TANH);
    }

    /** The Gauss error function, (2/√π)∫₀ˣ e^(−t²) dt. */
    public Tensor erf() {
        return unary(new Op.Erf(), UnaryOp.ERF);
    }

    /** Sine of radians; its derivative cos is the next op, so every order of derivative exists. */
    public Tensor sin() {
        return unary(new Op.Sin(), UnaryOp.SIN);
    }

    public Tensor cos() {
        return unary(new Op.Cos(), UnaryOp.COS);
    }

    /** {@code cond != 0 ? a : b}, broadcasting all three; the condition is not differentiated. */
    public static Tensor where(NdArray cond, Tensor a, Tensor b) {
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape(), a.shape()), b.shape());
        Tensor x = a.expand(shape);
        Tensor y = b.expand(shape);
        NdArray c = cond.astype(a.dtype()).expand(shape);
        return record(NdArray.where(c, x.value, y.value), new Op.Where(c), x, y);
    }

    // Comparisons give constant 0/1 tensors: they have no gradient.

    public Tensor gt(Tensor o) {
        return of(value.zip(BinaryOp.GT, o.value));
    }

    public Tensor ge(Tensor o) {
        return of(value.zip(BinaryOp.GE, o.value));
    }

    public Tensor lt(Tensor o) {
        return of(value.zip(BinaryOp.LT, o.value));
    }

    public Tensor le(Tensor o) {
        return of(value.zip(BinaryOp.LE, o.value));
    }

    public Tensor eq(Tensor o) {
        return of(value.zip(BinaryOp.EQ, o.value));
    }

    public Tensor ne(Tensor o) {
        return of(value.zip(BinaryOp.NE, o.value));
    }

    // ---------------------------------------------------------------- layout

    public Tensor reshape(int... shape) {
        NdArray v = value.reshape(shape);
        return Arrays.equals(v.shape(), shape()) ? this : record(v, new Op.Reshape(shape()), this);
    }

    public Tensor permute(int... order) {
        return record(value.permute(order), new Op.Permute(order.clone()), this);
    }

    public Tensor transpose(int a, int b) {
        int[] order = new int[rank()];
        Arrays.setAll(order, i -> i);
        a = Shapes.axis("transpose", a, rank());
        b = Shapes.axis("transpose", b, rank());
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** Broadcasts to a shape; the gradient sums over the repeated axes. */
    public Tensor expand(int... shape) {
        if (Arrays.equals(shape, shape())) {
            return this;
        }
        return record(value.expand(shape), new Op.Expand(shape()), this);
    }

    public Tensor slice(int axis, int start, int end) {
        return slice(axis, start, end, 1);
    }

    public Tensor slice(int axis, int start, int end, int step) {
        int ax = Shapes.axis("slice", axis, rank());
        return record(value.slice(ax, start, end, step), new Op.Slice(ax, start, end, step, shape()), this);
    }

    /** The sub-tensor at one index of an axis, that axis removed. */
    public Tensor select(int axis, int index) {
        int ax = Shapes.axis("select", axis, rank());
        int[] s = value.select(ax, index).shape();
        return slice(ax, index, index + 1).reshape(s);
    }

    public Tensor unsqueeze(int axis) {
        return reshape(value.unsqueeze(axis).shape());
    }

    /** Writes this tensor into zeros of {@code shape} at a slice of one axis. */
    public Tensor embed(int axis, int start, int step, int... shape) {
        int ax = Shapes.axis("embed", axis, shape.length);
        return record(value.embed(ax, start, step, shape), new Op.Embed(ax, start, step, shape.clone()), this);
    }

    public static Tensor concat(int axis, Tensor... tensors) {
        if (tensors.length == 0) {
            throw new ShapeException("concat: no tensors given");
        }
        int ax = Shapes.axis("concat", axis, tensors[0].rank());
        NdArray[] values = new NdArray[tensors.length];
        int[] sizes = new int[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            values[i] = tensors[i].value;
            sizes[i] = tensors[i].rank() > ax ? tensors[i].dim(ax) : 0;
        }
        return record(NdArray.concat(ax, values), new Op.Concat(ax, sizes), tensors);
    }

    /** Joins tensors of equal shape along a new axis. */
    public static Tensor stack(int axis, Tensor... tensors) {
        Tensor[] lifted = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            lifted[i] = tensors[i].unsqueeze(axis);
        }
        return concat(axis, lifted);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum over all axes. */
    public Tensor sum() {
        return sum(false);
    }

    /** Sum over axes (all if none given). */
    public Tensor sum(boolean keepDims, int... axes) {
        int[] ax = Shapes.axes("sum", axes, rank());
        return record(value.sum(keepDims, ax), new Op.Sum(ax, keepDims, shape()), this);
    }

    public Tensor mean() {
        return mean(false);
    }

    public Tensor mean(boolean keepDims, int... axes) {
        int[] ax = Shapes.axes("mean", axes, rank());
        return sum(keepDims, ax).div(Shapes.count(shape(), ax));
    }

    /** Largest element over axes; the gradient is split evenly among ties. */
    public Tensor max(boolean keepDims, int... axes) {
        int[] ax = Shapes.axes("max", axes, rank());
        return record(value.max(keepDims, ax), new Op.Max(ax, keepDims), this);
    }

    /** Index of the largest element along an axis (a constant). */
    public Tensor argmax(int axis, boolean keepDims) {
        return of(value.argmax(axis, keepDims));
    }

    /** log Σ exp along an axis, computed stably by shifting by the (constant) maximum. */
    public Tensor logsumexp(int axis, boolean keepDims) {
        int ax = Shapes.axis("logsumexp", axis, rank());
        Tensor shift = of(value.shift(ax));
        Tensor r = sub(shift).exp().sum(true, ax).log().add(shift);
        return keepDims ? r : r.reshape(Shapes.remove(shape(), ax));
    }

    /** exp(x − max) / Σ exp(x − max) along an axis (dividing keeps float32 accurate for large x). */
    public Tensor softmax(int axis) {
        int ax = Shapes.axis("softmax", axis, rank());
        Tensor e = sub(of(value.shift(ax))).exp();
        return e.div(e.sum(true, ax));
    }

    /**
     * log(1 + eˣ) elementwise, as logsumexp(0, x): finite for any x, and its derivative σ(x) is
     * exact everywhere (the max(x, 0) + log(1 + e^(−|x|)) form has a kink in its parts at 0).
     */
    public Tensor softplus() {
        int r = rank();
        Tensor zero = zeros(dtype(), shape()).unsqueeze(r);
        return concat(r, zero, unsqueeze(r)).logsumexp(r, false);
    }

    /** x − logsumexp(x) along an axis. */
    public Tensor logSoftmax(int axis) {
        return sub(logsumexp(axis, true));
    }

    // ---------------------------------------------------------------- linear algebra and indexing

    /** Matrix product with NumPy's rules for 1-D operands and broadcast batch axes. */
    public Tensor matmul(Tensor o) {
        if (rank() == 0 || o.rank() == 0) {
            throw new ShapeException("matmul: shapes " + Shapes.str(shape()) + " and " + Shapes.str(o.shape())
                    + " include a scalar; use mul");
        }
        Tensor a = rank() == 1 ? unsqueeze(0) : this;
        Tensor b = o.rank() == 1 ? o.unsqueeze(1) : o;
        int[] as = a.shape();
        int[] bs = b.shape();
        if (as[as.length - 1] != bs[bs.length - 2]) {
            throw new ShapeException("matmul: shapes " + Shapes.str(shape()) + " and " + Shapes.str(o.shape())
                    + " do not align (" + as[as.length - 1] + " != " + bs[bs.length - 2] + ")");
        }
        int[] batch = Shapes.broadcast("matmul", Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        a = a.expand(Shapes.withMatrix(batch, as[as.length - 2], as[as.length - 1]));
        b = b.expand(Shapes.withMatrix(batch, bs[bs.length - 2], bs[bs.length - 1]));
        Tensor c = record(a.value.matmul(b.value), new Op.MatMul(), a, b);
        int[] cs = c.shape();
        if (rank() == 1 && o.rank() == 1) {
            return c.reshape(Arrays.copyOf(cs, cs.length - 2));
        }
        if (rank() == 1) {
            return c.reshape(Shapes.remove(cs, cs.length - 2));
        }
        return o.rank() == 1 ? c.reshape(Shapes.remove(cs, cs.length - 1)) : c;
    }

    /** {@code out[..i..] = this[..index[..i..]..]} along an axis; index is a constant. */
    public Tensor gather(int axis, NdArray index) {
        int ax = Shapes.axis("gather", axis, rank());
        return record(value.gather(ax, index), new Op.Gather(ax, index), this);
    }

    /** Adds this tensor into zeros of {@code shape} at {@code index} along an axis. */
    public Tensor scatterAdd(int axis, NdArray index, int... shape) {
        int ax = Shapes.axis("scatterAdd", axis, shape.length);
        return record(value.scatterAdd(ax, index, shape), new Op.ScatterAdd(ax, index, shape.clone()), this);
    }

    @Override
    public String toString() {
        String v = value.toString().replaceFirst("^NdArray", "Tensor");
        return requiresGrad ? v.substring(0, v.length() - 1) + ", requiresGrad)" : v;
    }
}
