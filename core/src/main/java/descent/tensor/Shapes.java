package descent.tensor;

import java.util.Arrays;

/** Static helpers for shapes: sizes, row-major strides, NumPy broadcasting, axis checks. */
public final class Shapes {

    private Shapes() {}

    /** The number of elements of a shape (1 for a scalar). */
    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new ShapeException("shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
        }
        return (int) n;
    }

    /** Row-major (C order) strides of a shape. */
    public static int[] rowMajorStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    /**
     * The broadcast shape of two shapes by NumPy's rules: align on the right; each pair of sizes
     * must be equal or contain a 1.
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast together");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Checks and normalizes an axis (negative counts from the end). */
    public static int axis(String op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new ShapeException(op + ": axis " + axis + " is out of range for rank " + rank);
        }
        return a;
    }

    /** Normalized, sorted, distinct axes; an empty array means every axis. */
    public static int[] axes(String op, int[] axes, int rank) {
        if (axes.length == 0) {
            int[] all = new int[rank];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axis(op, axes[i], rank);
        }
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) {
                throw new ShapeException(op + ": axis " + out[i] + " is repeated in " + Arrays.toString(axes));
            }
        }
        return out;
    }

    /** Checks a shape has no negative size. */
    public static int[] check(int[] shape) {
        for (int d : shape) {
            if (d < 0) {
                throw new ShapeException("negative size in shape " + Arrays.toString(shape));
            }
        }
        return shape.clone();
    }

    /** The batch shape followed by two matrix sizes: {@code batch + [rows, cols]}. */
    public static int[] withMatrix(int[] batch, int rows, int cols) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = rows;
        s[batch.length + 1] = cols;
        return s;
    }

    /** How many elements the given (normalized) axes of a shape span together. */
    public static int count(int[] shape, int[] axes) {
        int n = 1;
        for (int a : axes) {
            n *= shape[a];
        }
        return n;
    }

    /** The shape with one axis removed. */
    public static int[] remove(int[] shape, int axis) {
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != axis) {
                s[j++] = shape[i];
            }
        }
        return s;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
