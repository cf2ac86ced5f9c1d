package descent.tensor;

import java.util.Arrays;

/**
 * How an array's elements sit in its storage: element (i0, i1, ...) is at
 * {@code offset + Σ ik·strides[k]}. Views (reshape, permute, expand, slice) are new layouts over the
 * same storage. A stride of 0 repeats an element (broadcasting).
 */
public record Layout(int[] shape, int[] strides, int offset) {

    public Layout {
        if (shape.length != strides.length) {
            throw new ShapeException("layout: shape " + Arrays.toString(shape) + " and strides "
                    + Arrays.toString(strides) + " differ in rank");
        }
        shape = Shapes.check(shape);
        strides = strides.clone();
    }

    /** A fresh row-major layout. */
    public static Layout contiguous(int... shape) {
        return new Layout(shape, Shapes.rowMajorStrides(shape), 0);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int[] strides() {
        return strides.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int stride(int axis) {
        return strides[axis];
    }

    public int size() {
        return Shapes.size(shape);
    }

    /** Whether elements are in row-major order with no gaps (strides of size-1 axes do not matter). */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** The storage index of an element. */
    public int index(int... idx) {
        if (idx.length != shape.length) {
            throw new ShapeException("index " + Arrays.toString(idx) + " has the wrong rank for shape "
                    + Arrays.toString(shape));
        }
        int at = offset;
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(idx) + " is out of bounds for shape "
                        + Arrays.toString(shape));
            }
            at += idx[i] * strides[i];
        }
        return at;
    }

    public Layout permute(int... order) {
        if (order.length != shape.length) {
            throw new ShapeException("permute: order " + Arrays.toString(order) + " does not fit shape "
                    + Arrays.toString(shape));
        }
        int[] s = new int[order.length];
        int[] st = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int a = Shapes.axis("permute", order[i], shape.length);
            if (seen[a]) {
                throw new ShapeException("permute: order " + Arrays.toString(order) + " repeats axis " + a);
            }
            seen[a] = true;
            s[i] = shape[a];
            st[i] = strides[a];
        }
        return new Layout(s, st, offset);
    }

    /** Broadcasts to a larger shape: new leading axes and size-1 axes get stride 0. */
    public Layout expand(int... target) {
        if (target.length < shape.length) {
            throw new ShapeException("expand: cannot expand shape " + Arrays.toString(shape) + " to "
                    + Arrays.toString(target));
        }
        int lead = target.length - shape.length;
        int[] st = new int[target.length];
        for (int i = 0; i < target.length; i++) {
            if (i < lead) {
                st[i] = 0;
            } else if (shape[i - lead] == target[i]) {
                st[i] = strides[i - lead];
            } else if (shape[i - lead] == 1) {
                st[i] = 0;
            } else {
                throw new ShapeException("expand: cannot expand shape " + Arrays.toString(shape) + " to "
                        + Arrays.toString(target));
            }
        }
        return new Layout(target, st, offset);
    }

    /** Elements start, start+step, ... below end along an axis. */
    public Layout slice(int axis, int start, int end, int step) {
        int a = Shapes.axis("slice", axis, shape.length);
        if (step <= 0 || start < 0 || end > shape[a] || start > end) {
            throw new ShapeException("slice: range " + start + ":" + end + ":" + step + " does not fit axis " + a
                    + " of shape " + Arrays.toString(shape));
        }
        int[] s = shape.clone();
        int[] st = strides.clone();
        s[a] = (end - start + step - 1) / step;
        st[a] = strides[a] * step;
        return new Layout(s, st, offset + start * strides[a]);
    }

    /** The sub-array at one index of an axis, that axis removed. */
    public Layout select(int axis, int index) {
        int a = Shapes.axis("select", axis, shape.length);
        if (index < 0 || index >= shape[a]) {
            throw new IndexOutOfBoundsException("select: index " + index + " is out of bounds for axis " + a
                    + " of shape " + Arrays.toString(shape));
        }
        int[] s = new int[shape.length - 1];
        int[] st = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != a) {
                s[j] = shape[i];
                st[j++] = strides[i];
            }
        }
        return new Layout(s, st, offset + index * strides[a]);
    }

    /**
     * A view with a new shape of the same size, or null when the elements cannot be addressed by
     * strides (the caller then copies). Old axes are taken in runs that are contiguous with each
     * other; each run must map onto a run of new axes with the same number of elements.
     */
    public Layout reshapeView(int... target) {
        if (Shapes.size(target) != size()) {
            throw new ShapeException("reshape: cannot reshape shape " + Arrays.toString(shape) + " ("
                    + size() + " elements) to " + Arrays.toString(target));
        }
        if (size() == 0 || shape.length == 0) {
            return new Layout(target, Shapes.rowMajorStrides(target), offset);
        }
        int[] st = new int[target.length];
        int v = target.length - 1;
        int runStride = strides[shape.length - 1];
        long runSize = 1;
        long viewSize = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            runSize *= shape[d];
            boolean runEnds = d == 0 || (shape[d - 1] != 1 && strides[d - 1] != runSize * runStride);
            if (runEnds) {
                while (v >= 0 && (viewSize < runSize || target[v] == 1)) {
                    st[v] = (int) (viewSize * runStride);
                    viewSize *= target[v];
                    v--;
                }
                if (viewSize != runSize) {
                    return null;
                }
                if (d > 0) {
                    runStride = strides[d - 1];
                    runSize = 1;
                    viewSize = 1;
                }
            }
        }
        return v == -1 ? new Layout(target, st, offset) : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l && offset == l.offset && Arrays.equals(shape, l.shape)
                && Arrays.equals(strides, l.strides);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(shape) + Arrays.hashCode(strides)) + offset;
    }

    @Override
    public String toString() {
        return "Layout[shape=" + Arrays.toString(shape) + ", strides=" + Arrays.toString(strides)
                + ", offset=" + offset + "]";
    }
}
