package descent.tensor;

import descent.kernels.BinaryOp;
import descent.kernels.Kernels;
import descent.kernels.UnaryOp;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A dense n-dimensional array of float32 or float64: a {@link Layout} over shared storage.
 *
 * <p>Arrays are values: operations return new arrays and never write into their inputs. Views
 * (reshape when possible, permute, transpose, expand, slice, select) share storage with the array
 * they come from; {@link #contiguous()} copies only when the layout is not already row-major.
 * Binary operations broadcast by NumPy's rules and require equal dtypes. Shape errors throw
 * {@link ShapeException} naming the operation and the shapes.
 */
public final class NdArray {

    final DType dtype;
    final Layout layout;
    final float[] f;
    final double[] d;

    NdArray(DType dtype, Layout layout, float[] f, double[] d) {
        this.dtype = dtype;
        this.layout = layout;
        this.f = f;
        this.d = d;
    }

    static Kernels kernels() {
        return Kernels.get();
    }

    // ---------------------------------------------------------------- creation

    /** A new zero-filled contiguous array. */
    public static NdArray zeros(DType dtype, int... shape) {
        Layout l = Layout.contiguous(shape);
        int n = l.size();
        return dtype == DType.FLOAT32 ? new NdArray(dtype, l, new float[n], null)
                : new NdArray(dtype, l, null, new double[n]);
    }

    public static NdArray ones(DType dtype, int... shape) {
        return full(dtype, 1, shape);
    }

    public static NdArray full(DType dtype, double value, int... shape) {
        NdArray a = zeros(dtype, shape);
        if (a.f != null) {
            Arrays.fill(a.f, (float) value);
        } else {
            Arrays.fill(a.d, value);
        }
        return a;
    }

    /** A 0-dimensional array holding one value. */
    public static NdArray scalar(DType dtype, double value) {
        return full(dtype, value);
    }

    /** start, start+step, ... below end. */
    public static NdArray arange(DType dtype, double start, double end, double step) {
        if (step == 0 || Double.isNaN(start) || Double.isNaN(end)) {
            throw new IllegalArgumentException("arange: step must be non-zero and bounds finite");
        }
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        NdArray a = zeros(dtype, n);
        for (int i = 0; i < n; i++) {
            a.setFlat(i, start + i * step);
        }
        return a;
    }

    public static NdArray arange(DType dtype, int n) {
        return arange(dtype, 0, n, 1);
    }

    /** The n×n identity matrix. */
    public static NdArray eye(DType dtype, int n) {
        NdArray a = zeros(dtype, n, n);
        for (int i = 0; i < n; i++) {
            a.setFlat(i * n + i, 1);
        }
        return a;
    }

    /** A float32 array over a copy of the data, in row-major order. */
    public static NdArray of(float[] data, int... shape) {
        Layout l = Layout.contiguous(shape);
        checkLength(data.length, l);
        return new NdArray(DType.FLOAT32, l, data.clone(), null);
    }

    /**
     * A float32 array over {@code data} itself, without a copy: the caller hands the array over and
     * must not change it afterwards (data loaders use this for batches they just assembled).
     */
    public static NdArray wrap(float[] data, int... shape) {
        Layout l = Layout.contiguous(shape);
        checkLength(data.length, l);
        return new NdArray(DType.FLOAT32, l, data, null);
    }

    /** A float64 array over a copy of the data, in row-major order. */
    public static NdArray of(double[] data, int... shape) {
        Layout l = Layout.contiguous(shape);
        checkLength(data.length, l);
        return new NdArray(DType.FLOAT64, l, null, data.clone());
    }

    /** An array of the given dtype from double values. */
    public static NdArray of(DType dtype, double[] data, int... shape) {
        return dtype == DType.FLOAT64 ? of(data, shape) : of(data, shape).astype(DType.FLOAT32);
    }

    private static void checkLength(int length, Layout l) {
        if (length != l.size()) {
            throw new ShapeException("of: " + length + " values do not fill shape " + Shapes.str(l.shape())
                    + " (" + l.size() + " elements)");
        }
    }

    /** Uniform samples in [0, 1) from the given generator. */
    public static NdArray rand(RandomGenerator rng, DType dtype, int... shape) {
        NdArray a = zeros(dtype, shape);
        for (int i = 0, n = a.size(); i < n; i++) {
            a.setFlat(i, rng.nextDouble());
        }
        return a;
    }

    /** Standard normal samples from the given generator. */
    public static NdArray randn(RandomGenerator rng, DType dtype, int... shape) {
        NdArray a = zeros(dtype, shape);
        for (int i = 0, n = a.size(); i < n; i++) {
            a.setFlat(i, rng.nextGaussian());
        }
        return a;
    }

    /** Rows of the identity picked by integer labels: shape [labels.length, classes]. */
    public static NdArray oneHot(DType dtype, int[] labels, int classes) {
        NdArray a = zeros(dtype, labels.length, classes);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IndexOutOfBoundsException("oneHot: label " + labels[i] + " at " + i
                        + " is outside [0, " + classes + ")");
            }
            a.setFlat(i * classes + labels[i], 1);
        }
        return a;
    }

    private void setFlat(int i, double v) {
        if (f != null) {
            f[i] = (float) v;
        } else {
            d[i] = v;
        }
    }

    // ---------------------------------------------------------------- properties

    public DType dtype() {
        return dtype;
    }

    public Layout layout() {
        return layout;
    }

    public int[] shape() {
        return layout.shape();
    }

    public int[] strides() {
        return layout.strides();
    }

    public int rank() {
        return layout.rank();
    }

    public int dim(int axis) {
        return layout.dim(Shapes.axis("dim", axis, rank()));
    }

    public int size() {
        return layout.size();
    }

    public boolean isContiguous() {
        return layout.isContiguous();
    }

    /** Whether two arrays are views of the same storage. */
    public boolean sharesStorage(NdArray other) {
        return (f != null && f == other.f) || (d != null && d == other.d);
    }

    /** One element, as a double. */
    public double get(int... idx) {
        int at = layout.index(idx);
        return f != null ? f[at] : d[at];
    }

    /** The value of a one-element array. */
    public double item() {
        if (size() != 1) {
            throw new ShapeException("item: shape " + Shapes.str(shape()) + " has " + size() + " elements, not 1");
        }
        int at = layout.offset();
        return f != null ? f[at] : d[at];
    }

    /** The elements in row-major order, as doubles. */
    public double[] toDoubleArray() {
        NdArray c = astype(DType.FLOAT64).contiguous();
        return Arrays.copyOfRange(c.d, c.layout.offset(), c.layout.offset() + size());
    }

    /** The elements in row-major order, as floats. */
    public float[] toFloatArray() {
        NdArray c = astype(DType.FLOAT32).contiguous();
        return Arrays.copyOfRange(c.f, c.layout.offset(), c.layout.offset() + size());
    }

    // ---------------------------------------------------------------- views

    private NdArray view(Layout l) {
        return new NdArray(dtype, l, f, d);
    }

    /** A view with a new shape when strides allow, else a contiguous copy. One size may be -1. */
    public NdArray reshape(int... shape) {
        int[] target = inferSize(shape);
        Layout v = layout.reshapeView(target);
        return v != null ? view(v) : contiguous().view(Layout.contiguous(target));
    }

    private int[] inferSize(int[] shape) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) {
                    throw new ShapeException("reshape: more than one -1 in " + Arrays.toString(shape));
                }
                infer = i;
            } else {
                known *= shape[i];
            }
        }
        if (infer < 0) {
            return shape.clone();
        }
        if (known == 0 || size() % known != 0) {
            throw new ShapeException("reshape: cannot reshape shape " + Shapes.str(shape()) + " to "
                    + Arrays.toString(shape));
        }
        int[] out = shape.clone();
        out[infer] = (int) (size() / known);
        return out;
    }

    public NdArray permute(int... order) {
        return view(layout.permute(order));
    }

    /** Swaps two axes. */
    public NdArray transpose(int a, int b) {
        int r = rank();
        int[] order = new int[r];
        Arrays.setAll(order, i -> i);
        a = Shapes.axis("transpose", a, r);
        b = Shapes.axis("transpose", b, r);
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** Broadcasts to a shape (stride 0 on repeated axes). */
    public NdArray expand(int... shape) {
        return view(layout.expand(shape));
    }

    public NdArray slice(int axis, int start, int end) {
        return slice(axis, start, end, 1);
    }

    public NdArray slice(int axis, int start, int end, int step) {
        return view(layout.slice(axis, start, end, step));
    }

    public NdArray select(int axis, int index) {
        return view(layout.select(axis, index));
    }

    /** Inserts a size-1 axis. */
    public NdArray unsqueeze(int axis) {
        int[] s = shape();
        int a = axis < 0 ? axis + s.length + 1 : axis;
        if (a < 0 || a > s.length) {
            throw new ShapeException("unsqueeze: axis " + axis + " is out of range for rank " + s.length);
        }
        int[] t = new int[s.length + 1];
        for (int i = 0, j = 0; i < t.length; i++) {
            t[i] = i == a ? 1 : s[j++];
        }
        return reshape(t);
    }

    /** A contiguous array with the same elements: this one if already contiguous. */
    public NdArray contiguous() {
        if (isContiguous()) {
            return this;
        }
        return isTransposedMatrix() ? transposedCopy() : map(UnaryOp.COPY);
    }

    /** Whether this is a matrix whose columns are contiguous: the transpose view of a row-major one. */
    public boolean isTransposedMatrix() {
        return rank() == 2 && layout.stride(0) == 1 && layout.stride(1) == dim(0);
    }

    /** Copies a transposed matrix in 32×32 tiles, so that reads and writes both stay in cache. */
    private NdArray transposedCopy() {
        int rows = dim(0), cols = dim(1), off = layout.offset();
        final int tile = 32;
        NdArray out = zeros(dtype, rows, cols);
        for (int i0 = 0; i0 < rows; i0 += tile) {
            for (int j0 = 0; j0 < cols; j0 += tile) {
                int iEnd = Math.min(rows, i0 + tile), jEnd = Math.min(cols, j0 + tile);
                // Source element (i, j) sits at off + i + j·rows; the dtype test stays out of the loops.
                if (f != null) {
                    for (int j = j0; j < jEnd; j++) {
                        for (int i = i0; i < iEnd; i++) {
                            out.f[i * cols + j] = f[off + i + j * rows];
                        }
                    }
                } else {
                    for (int j = j0; j < jEnd; j++) {
                        for (int i = i0; i < iEnd; i++) {
                            out.d[i * cols + j] = d[off + i + j * rows];
                        }
                    }
                }
            }
        }
        return out;
    }

    /** A contiguous copy that shares nothing with this array. */
    public NdArray copy() {
        return map(UnaryOp.COPY);
    }

    public NdArray astype(DType to) {
        if (to == dtype) {
            return this;
        }
        NdArray c = contiguous();
        NdArray out = zeros(to, shape());
        int off = c.layout.offset();
        for (int i = 0, n = size(); i < n; i++) {
            if (to == DType.FLOAT32) {
                out.f[i] = (float) c.d[off + i];
            } else {
                out.d[i] = c.f[off + i];
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- elementwise

    public NdArray map(UnaryOp op) {
        return Elementwise.map(op, this);
    }

    public NdArray zip(BinaryOp op, NdArray other) {
        return Elementwise.zip(op, this, other);
    }

    public NdArray zip(BinaryOp op, double scalar) {
        return Elementwise.zip(op, this, scalar(dtype, scalar));
    }

    /** {@code cond != 0 ? a : b}, broadcasting all three. */
    public static NdArray where(NdArray cond, NdArray a, NdArray b) {
        return Elementwise.where(cond, a, b);
    }

    public NdArray add(NdArray o) {
        return zip(BinaryOp.ADD, o);
    }

    public NdArray sub(NdArray o) {
        return zip(BinaryOp.SUB, o);
    }

    public NdArray mul(NdArray o) {
        return zip(BinaryOp.MUL, o);
    }

    public NdArray div(NdArray o) {
        return zip(BinaryOp.DIV, o);
    }

    public NdArray add(double s) {
        return zip(BinaryOp.ADD, s);
    }

    public NdArray mul(double s) {
        return zip(BinaryOp.MUL, s);
    }

    public NdArray neg() {
        return map(UnaryOp.NEG);
    }

    public NdArray exp() {
        return map(UnaryOp.EXP);
    }

    public NdArray log() {
        return map(UnaryOp.LOG);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum over axes (all axes if none are given). */
    public NdArray sum(boolean keepDims, int... axes) {
        return Reductions.sum(this, keepDims, axes);
    }

    /** Mean over axes (all axes if none are given). */
    public NdArray mean(boolean keepDims, int... axes) {
        int[] ax = Shapes.axes("mean", axes, rank());
        return sum(keepDims, ax).mul(1.0 / Shapes.count(layout.shape(), ax));
    }

    /** log Σ exp along an axis, shifted by the maximum so that large inputs do not overflow. */
    public NdArray logsumexp(int axis, boolean keepDims) {
        int ax = Shapes.axis("logsumexp", axis, rank());
        NdArray m = shift(ax);
        NdArray r = sub(m).exp().sum(true, ax).log().add(m);
        return keepDims ? r : r.reshape(Shapes.remove(r.shape(), ax));
    }

    /**
     * exp(x − max) / Σ exp(x − max) along an axis: each row sums to 1. Dividing, rather than
     * subtracting logsumexp, keeps float32 exact to rounding when |x| is large.
     */
    public NdArray softmax(int axis) {
        int ax = Shapes.axis("softmax", axis, rank());
        NdArray e = sub(shift(ax)).exp();
        return e.div(e.sum(true, ax));
    }

    /**
     * The maximum along an axis (kept), by which exp is shifted to avoid overflow; an infinite
     * maximum is replaced by 0, since −∞ − (−∞) would be NaN.
     */
    public NdArray shift(int axis) {
        NdArray m = max(true, axis);
        return where(m.map(UnaryOp.ABS).zip(BinaryOp.EQ, Double.POSITIVE_INFINITY), scalar(dtype, 0), m);
    }

    /** Largest element over axes (all axes if none are given); NaN wins. */
    public NdArray max(boolean keepDims, int... axes) {
        return Reductions.max(this, keepDims, axes);
    }

    /** Index of the first largest element along an axis, as values of this array's dtype. */
    public NdArray argmax(int axis, boolean keepDims) {
        return Reductions.argmax(this, axis, keepDims);
    }

    // ---------------------------------------------------------------- linear algebra and indexing

    /** Matrix product: 2-D, batched with broadcast batch axes, and 1-D operands as in NumPy. */
    public NdArray matmul(NdArray other) {
        return MatMul.matmul(this, other);
    }

    /**
     * The gradients of A and B in C = A·B, given C's gradient g: g·Bᵀ (shaped like A) and Aᵀ·g
     * (shaped like B), each null unless wanted. A and B have rank 2 or more and the same batch
     * axes. Both products together run side by side on two threads where that is faster; the
     * results are the same bits however they are scheduled.
     */
    public static NdArray[] matmulGrads(NdArray a, NdArray b, NdArray g, boolean wantA, boolean wantB) {
        return MatMul.grads(a, b, g, wantA, wantB);
    }

    /** Joins arrays along an existing axis. */
    public static NdArray concat(int axis, NdArray... arrays) {
        return Indexing.concat(axis, arrays);
    }

    /** {@code out[..i..] = this[..index[..i..]..]} along an axis (torch.gather semantics). */
    public NdArray gather(int axis, NdArray index) {
        return Indexing.gather(this, axis, index);
    }

    /** A zero array of {@code shape} into which {@code this} is added at {@code index} along an axis. */
    public NdArray scatterAdd(int axis, NdArray index, int... shape) {
        return Indexing.scatterAdd(this, axis, index, shape);
    }

    /** This array written into a zero array of {@code shape} at a slice of one axis (the inverse of slice). */
    public NdArray embed(int axis, int start, int step, int... shape) {
        return Indexing.embed(this, axis, start, step, shape);
    }

    @Override
    public String toString() {
        return Format.format(this);
    }
}
