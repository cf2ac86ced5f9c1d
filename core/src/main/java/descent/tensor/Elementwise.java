package descent.tensor;

import descent.kernels.BinaryOp;
import descent.kernels.Kernels;
import descent.kernels.UnaryOp;

/** Elementwise maps over arrays of any layout, broadcasting by NumPy's rules. */
final class Elementwise {

    private Elementwise() {}

    static NdArray map(UnaryOp op, NdArray a) {
        NdArray out = NdArray.zeros(a.dtype, a.layout.shape());
        Rows rows = new Rows(a.layout.shape(), new int[][] {a.layout.strides(), out.layout.strides()},
                new int[] {a.layout.offset(), 0});
        Kernels k = NdArray.kernels();
        int s = rows.innerStrides[0];
        if (a.f != null) {
            rows.forEach((off, n) -> k.unary(op, a.f, off[0], s, out.f, off[1], n));
        } else {
            rows.forEach((off, n) -> k.unary(op, a.d, off[0], s, out.d, off[1], n));
        }
        return out;
    }

    static NdArray zip(BinaryOp op, NdArray a, NdArray b) {
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        sameDType(name, a, b);
        int[] shape = Shapes.broadcast(name, a.layout.shape(), b.layout.shape());
        Layout la = a.layout.expand(shape);
        Layout lb = b.layout.expand(shape);
        NdArray out = NdArray.zeros(a.dtype, shape);
        Rows rows = new Rows(shape, new int[][] {la.strides(), lb.strides(), out.layout.strides()},
                new int[] {la.offset(), lb.offset(), 0});
        Kernels k = NdArray.kernels();
        int sa = rows.innerStrides[0];
        int sb = rows.innerStrides[1];
        if (a.f != null) {
            rows.forEach((off, n) -> k.binary(op, a.f, off[0], sa, b.f, off[1], sb, out.f, off[2], n));
        } else {
            rows.forEach((off, n) -> k.binary(op, a.d, off[0], sa, b.d, off[1], sb, out.d, off[2], n));
        }
        return out;
    }

    static NdArray where(NdArray cond, NdArray a, NdArray b) {
        sameDType("where", a, b);
        NdArray c = cond.astype(a.dtype);
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", c.layout.shape(), a.layout.shape()),
                b.layout.shape());
        Layout lc = c.layout.expand(shape);
        Layout la = a.layout.expand(shape);
        Layout lb = b.layout.expand(shape);
        NdArray out = NdArray.zeros(a.dtype, shape);
        Rows rows = new Rows(shape, new int[][] {lc.strides(), la.strides(), lb.strides(), out.layout.strides()},
                new int[] {lc.offset(), la.offset(), lb.offset(), 0});
        Kernels k = NdArray.kernels();
        int[] s = rows.innerStrides;
        if (a.f != null) {
            rows.forEach((off, n) -> k.select(c.f, off[0], s[0], a.f, off[1], s[1], b.f, off[2], s[2],
                    out.f, off[3], n));
        } else {
            rows.forEach((off, n) -> k.select(c.d, off[0], s[0], a.d, off[1], s[1], b.d, off[2], s[2],
                    out.d, off[3], n));
        }
        return out;
    }

    static void sameDType(String op, NdArray a, NdArray b) {
        if (a.dtype != b.dtype) {
            throw new IllegalArgumentException(op + ": dtypes " + a.dtype + " and " + b.dtype
                    + " differ; convert one with astype");
        }
    }
}
