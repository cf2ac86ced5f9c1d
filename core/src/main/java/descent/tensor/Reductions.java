package descent.tensor;

import descent.kernels.BinaryOp;
import descent.kernels.Kernels;

/** Reductions over sets of axes: the reduced axes are brought last and each row reduced by a kernel. */
final class Reductions {

    /** Kept elements below which adding whole rows is slower than one lane sum per output. */
    private static final int MIN_ROW_ADD = 16;

    private Reductions() {}

    static NdArray sum(NdArray a, boolean keepDims, int[] axes) {
        int[] ax = Shapes.axes("sum", axes, a.rank());
        int[] shape = a.layout.shape();
        int rows = reducedSize(shape, ax);
        int cols = a.size() / Math.max(1, rows);
        if (a.isContiguous() && leadingRun(ax) == ax.length && ax.length > 0 && cols >= MIN_ROW_ADD) {
            // Sum over leading axes of a contiguous array: add whole rows of the kept elements, which
            // stays in vector lanes. Short rows (a full sum has rows of one) go to the row kernel
            // instead, which sums in lanes.
            NdArray out = NdArray.zeros(a.dtype, keptShape(shape, ax, false));
            Kernels k = NdArray.kernels();
            int off = a.layout.offset();
            for (int r = 0; r < rows && cols > 0; r++) {
                if (a.f != null) {
                    k.binary(BinaryOp.ADD, out.f, 0, 1, a.f, off + r * cols, 1, out.f, 0, cols);
                } else {
                    k.binary(BinaryOp.ADD, out.d, 0, 1, a.d, off + r * cols, 1, out.d, 0, cols);
                }
            }
            return keepDims ? out.reshape(keptShape(shape, ax, true)) : out;
        }
        return reduceRows(a, ax, keepDims, false);
    }

    static NdArray max(NdArray a, boolean keepDims, int[] axes) {
        return reduceRows(a, Shapes.axes("max", axes, a.rank()), keepDims, true);
    }

    static NdArray argmax(NdArray a, int axis, boolean keepDims) {
        int ax = Shapes.axis("argmax", axis, a.rank());
        int[] shape = a.layout.shape();
        if (shape[ax] == 0) {
            throw new ShapeException("argmax: axis " + ax + " of shape " + Shapes.str(shape) + " is empty");
        }
        NdArray rows = lastAxes(a, new int[] {ax});
        int len = shape[ax];
        int count = a.size() / len;
        double[] out = new double[count];
        int off = rows.layout.offset();
        for (int r = 0; r < count; r++) {
            int best = 0;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < len; i++) {
                double v = rows.f != null ? rows.f[off + r * len + i] : rows.d[off + r * len + i];
                if (v > bestValue || Double.isNaN(v) && !Double.isNaN(bestValue) || i == 0) {
                    best = i;
                    bestValue = v;
                }
            }
            out[r] = best;
        }
        return NdArray.of(a.dtype, out, keptShape(shape, new int[] {ax}, keepDims));
    }

    private static NdArray reduceRows(NdArray a, int[] ax, boolean keepDims, boolean max) {
        int[] shape = a.layout.shape();
        int len = reducedSize(shape, ax);
        NdArray rows = lastAxes(a, ax);
        int[] outShape = keptShape(shape, ax, keepDims);
        NdArray out = NdArray.zeros(a.dtype, outShape);
        int count = out.size();
        int off = rows.layout.offset();
        Kernels k = NdArray.kernels();
        for (int r = 0; r < count; r++) {
            if (a.f != null) {
                out.f[r] = max ? k.max(rows.f, off + r * len, 1, len) : k.sum(rows.f, off + r * len, 1, len);
            } else {
                out.d[r] = max ? k.max(rows.d, off + r * len, 1, len) : k.sum(rows.d, off + r * len, 1, len);
            }
        }
        return out;
    }

    /** A contiguous array with the given axes moved last, so each output element is one row. */
    private static NdArray lastAxes(NdArray a, int[] ax) {
        int r = a.rank();
        int[] order = new int[r];
        int j = 0;
        for (int i = 0; i < r; i++) {
            if (java.util.Arrays.binarySearch(ax, i) < 0) {
                order[j++] = i;
            }
        }
        for (int i : ax) {
            order[j++] = i;
        }
        return a.permute(order).contiguous();
    }

    private static int reducedSize(int[] shape, int[] ax) {
        int n = 1;
        for (int i : ax) {
            n *= shape[i];
        }
        return n;
    }

    private static int leadingRun(int[] ax) {
        int n = 0;
        while (n < ax.length && ax[n] == n) {
            n++;
        }
        return n;
    }

    static int[] keptShape(int[] shape, int[] ax, boolean keepDims) {
        int[] out = new int[keepDims ? shape.length : shape.length - ax.length];
        for (int i = 0, j = 0; i < shape.length; i++) {
            boolean reduced = java.util.Arrays.binarySearch(ax, i) >= 0;
            if (keepDims) {
                out[j++] = reduced ? 1 : shape[i];
            } else if (!reduced) {
                out[j++] = shape[i];
            }
        }
        return out;
    }
}
