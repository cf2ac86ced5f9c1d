package descent.tensor;

/** Readable text for arrays: nested brackets, at most a few elements per axis. */
final class Format {

    private static final int EDGE = 3;

    private Format() {}

    static String format(NdArray a) {
        StringBuilder sb = new StringBuilder("NdArray(");
        append(sb, a, new int[a.rank()], 0);
        sb.append(", shape=").append(Shapes.str(a.shape())).append(", dtype=").append(a.dtype).append(')');
        return sb.toString();
    }

    private static void append(StringBuilder sb, NdArray a, int[] pos, int axis) {
        if (axis == a.rank()) {
            double v = a.get(pos);
            sb.append(a.dtype == DType.FLOAT32 ? Float.toString((float) v) : Double.toString(v));
            return;
        }
        int n = a.dim(axis);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (n > 2 * EDGE && i == EDGE) {
                sb.append("..., ");
                i = n - EDGE;
            }
            pos[axis] = i;
            append(sb, a, pos, axis + 1);
            if (i < n - 1) {
                sb.append(", ");
            }
        }
        sb.append(']');
    }
}
