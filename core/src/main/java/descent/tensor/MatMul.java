package descent.tensor;

import descent.kernels.Kernels;

/**
 * Matrix products on GEMM. Operands are passed to the kernel with their own strides, so
 * transposed views (as in backward's A·Bᵀ and Aᵀ·B) are never copied.
 */
final class MatMul {

    private MatMul() {}

    static NdArray matmul(NdArray a, NdArray b) {
        Elementwise.sameDType("matmul", a, b);
        if (a.rank() == 0 || b.rank() == 0) {
            throw new ShapeException("matmul: shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape())
                    + " include a scalar; use mul");
        }
        boolean vecA = a.rank() == 1;
        boolean vecB = b.rank() == 1;
        NdArray x = vecA ? a.unsqueeze(0) : a;
        NdArray y = vecB ? b.unsqueeze(1) : b;
        int[] xs = x.layout.shape();
        int[] ys = y.layout.shape();
        int m = xs[xs.length - 2];
        int k = xs[xs.length - 1];
        int n = ys[ys.length - 1];
        if (ys[ys.length - 2] != k) {
            throw new ShapeException("matmul: shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape())
                    + " do not align (" + k + " != " + ys[ys.length - 2] + ")");
        }
        int[] batch = Shapes.broadcast("matmul", java.util.Arrays.copyOf(xs, xs.length - 2),
                java.util.Arrays.copyOf(ys, ys.length - 2));
        Layout lx = x.layout.expand(Shapes.withMatrix(batch, m, k));
        Layout ly = y.layout.expand(Shapes.withMatrix(batch, k, n));
        NdArray out = NdArray.zeros(a.dtype, Shapes.withMatrix(batch, m, n));
        int r = batch.length;
        Kernels kern = NdArray.kernels();
        int count = Shapes.size(batch);
        int[] idx = new int[r];
        for (int t = 0; t < count; t++) {
            int ox = lx.offset();
            int oy = ly.offset();
            for (int i = 0; i < r; i++) {
                ox += idx[i] * lx.stride(i);
                oy += idx[i] * ly.stride(i);
            }
            int oc = t * m * n;
            if (a.f != null) {
                kern.gemm(m, n, k, x.f, ox, lx.stride(r), lx.stride(r + 1), y.f, oy, ly.stride(r), ly.stride(r + 1),
                        out.f, oc, n, false);
            } else {
                kern.gemm(m, n, k, x.d, ox, lx.stride(r), lx.stride(r + 1), y.d, oy, ly.stride(r), ly.stride(r + 1),
                        out.d, oc, n, false);
            }
            for (int i = r - 1; i >= 0 && ++idx[i] == batch[i]; i--) {
                idx[i] = 0;
            }
        }
        int[] shape = out.layout.shape();
        if (vecA && vecB) {
            return out.reshape(java.util.Arrays.copyOf(shape, shape.length - 2));
        }
        if (vecA) {
            return out.reshape(Shapes.remove(shape, shape.length - 2));
        }
        return vecB ? out.reshape(Shapes.remove(shape, shape.length - 1)) : out;
    }
}
