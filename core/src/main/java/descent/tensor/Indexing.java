package descent.tensor;

import descent.kernels.UnaryOp;

/** Joining, gathering and scattering: the index-driven operations. */
final class Indexing {

    private Indexing() {}

    static NdArray concat(int axis, NdArray... arrays) {
        if (arrays.length == 0) {
            throw new ShapeException("concat: no arrays given");
        }
        NdArray first = arrays[0];
        int ax = Shapes.axis("concat", axis, first.rank());
        int[] shape = first.shape();
        int total = 0;
        for (NdArray a : arrays) {
            Elementwise.sameDType("concat", first, a);
            int[] s = a.shape();
            boolean fits = s.length == shape.length;
            for (int i = 0; fits && i < s.length; i++) {
                fits = i == ax || s[i] == shape[i];
            }
            if (!fits) {
                throw new ShapeException("concat: shapes " + Shapes.str(shape) + " and " + Shapes.str(s)
                        + " differ outside axis " + ax);
            }
            total += s[ax];
        }
        shape[ax] = total;
        NdArray out = NdArray.zeros(first.dtype, shape);
        int at = 0;
        for (NdArray a : arrays) {
            int len = a.dim(ax);
            copyInto(a, out.slice(ax, at, at + len));
            at += len;
        }
        return out;
    }

    static NdArray embed(NdArray src, int axis, int start, int step, int[] shape) {
        NdArray out = NdArray.zeros(src.dtype, shape);
        int ax = Shapes.axis("embed", axis, shape.length);
        int len = src.rank() == shape.length ? src.dim(ax) : -1;
        NdArray dst = len < 0 ? null : out.slice(ax, start, Math.min(shape[ax], start + step * (len - 1) + 1), step);
        if (dst == null || !java.util.Arrays.equals(dst.shape(), src.shape())) {
            throw new ShapeException("embed: shape " + Shapes.str(src.shape()) + " does not fit at " + start + "::"
                    + step + " of axis " + axis + " in " + Shapes.str(shape));
        }
        copyInto(src, dst);
        return out;
    }

    /** Copies src into a view dst of the same shape (dst's storage is written). */
    static void copyInto(NdArray src, NdArray dst) {
        Rows rows = new Rows(src.layout.shape(), new int[][] {src.layout.strides(), dst.layout.strides()},
                new int[] {src.layout.offset(), dst.layout.offset()});
        int ss = rows.innerStrides[0];
        int ds = rows.innerStrides[1];
        rows.forEach((off, n) -> {
            if (ds == 1) {
                if (src.f != null) {
                    NdArray.kernels().unary(UnaryOp.COPY, src.f, off[0], ss, dst.f, off[1], n);
                } else {
                    NdArray.kernels().unary(UnaryOp.COPY, src.d, off[0], ss, dst.d, off[1], n);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    if (src.f != null) {
                        dst.f[off[1] + i * ds] = src.f[off[0] + i * ss];
                    } else {
                        dst.d[off[1] + i * ds] = src.d[off[0] + i * ss];
                    }
                }
            }
        });
    }

    static NdArray gather(NdArray a, int axis, NdArray index) {
        int ax = Shapes.axis("gather", axis, a.rank());
        int[] is = index.shape();
        int[] as = a.shape();
        checkIndexShape("gather", as, is, ax);
        NdArray out = NdArray.zeros(a.dtype, is);
        forEachIndex(is, (pos, flat) -> {
            int j = indexValue("gather", index, pos, as[ax]);
            int saved = pos[ax];
            pos[ax] = j;
            int at = a.layout.index(pos);
            pos[ax] = saved;
            if (a.f != null) {
                out.f[flat] = a.f[at];
            } else {
                out.d[flat] = a.d[at];
            }
        });
        return out;
    }

    static NdArray scatterAdd(NdArray src, int axis, NdArray index, int[] shape) {
        int ax = Shapes.axis("scatterAdd", axis, shape.length);
        int[] is = index.shape();
        if (!java.util.Arrays.equals(is, src.shape())) {
            throw new ShapeException("scatterAdd: index shape " + Shapes.str(is) + " and source shape "
                    + Shapes.str(src.shape()) + " differ");
        }
        checkIndexShape("scatterAdd", shape, is, ax);
        NdArray out = NdArray.zeros(src.dtype, shape);
        forEachIndex(is, (pos, flat) -> {
            int j = indexValue("scatterAdd", index, pos, shape[ax]);
            double v = src.get(pos);
            int saved = pos[ax];
            pos[ax] = j;
            int at = out.layout.index(pos);
            pos[ax] = saved;
            if (out.f != null) {
                out.f[at] += (float) v;
            } else {
                out.d[at] += v;
            }
        });
        return out;
    }

    private static void checkIndexShape(String op, int[] shape, int[] is, int ax) {
        boolean ok = is.length == shape.length;
        for (int i = 0; ok && i < is.length; i++) {
            ok = i == ax || is[i] <= shape[i];
        }
        if (!ok) {
            throw new ShapeException(op + ": index shape " + Shapes.str(is) + " does not fit shape "
                    + Shapes.str(shape) + " along axis " + ax);
        }
    }

    private static int indexValue(String op, NdArray index, int[] pos, int limit) {
        double v = index.get(pos);
        int j = (int) v;
        if (j != v || j < 0 || j >= limit) {
            throw new IndexOutOfBoundsException(op + ": index " + v + " at " + java.util.Arrays.toString(pos)
                    + " is outside [0, " + limit + ")");
        }
        return j;
    }

    private interface PositionVisitor {
        void at(int[] pos, int flat);
    }

    private static void forEachIndex(int[] shape, PositionVisitor v) {
        int n = Shapes.size(shape);
        int[] pos = new int[shape.length];
        for (int flat = 0; flat < n; flat++) {
            v.at(pos, flat);
            for (int i = shape.length - 1; i >= 0 && ++pos[i] == shape[i]; i--) {
                pos[i] = 0;
            }
        }
    }
}
