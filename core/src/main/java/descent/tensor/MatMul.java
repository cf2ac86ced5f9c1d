package descent.tensor;

import descent.kernels.Kernels;
import descent.kernels.Parallel;
import java.util.Arrays;

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
        int[] batch = Shapes.broadcast("matmul", Arrays.copyOf(xs, xs.length - 2),
                Arrays.copyOf(ys, ys.length - 2));
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
            return out.reshape(Arrays.copyOf(shape, shape.length - 2));
        }
        if (vecA) {
            return out.reshape(Shapes.remove(shape, shape.length - 2));
        }
        return vecB ? out.reshape(Shapes.remove(shape, shape.length - 1)) : out;
    }

    /**
     * The gradients of A and B in C = A·B, given C's gradient g: g·Bᵀ and Aᵀ·g (null where not
     * wanted). When both are wanted and kernels use two threads, the two products are independent
     * and run side by side, one per thread: on a hidden layer's shapes that takes less time than
     * splitting each product in two. (With more threads each product keeps all of them: parts of a
     * part run inline.) Each product is the same arithmetic on any thread, so the results do not
     * change.
     */
    static NdArray[] grads(NdArray a, NdArray b, NdArray g, boolean wantA, boolean wantB) {
        checkGradShapes(a, b, g);
        NdArray[] grads = new NdArray[2];
        if (wantA && wantB && Parallel.threads() == 2) {
            // B's gradient comes first: in a Linear layer it is the one that packs a transposed
            // operand, so it takes longer, and the caller, which starts at once, takes part 0.
            Parallel.run(2, part -> {
                if (part == 0) {
                    grads[1] = gradB(a, b, g);
                } else {
                    grads[0] = gradA(b, g);
                }
            });
            return grads;
        }
        if (wantA) {
            grads[0] = gradA(b, g);
        }
        if (wantB) {
            grads[1] = gradB(a, b, g);
        }
        return grads;
    }

    private static NdArray gradA(NdArray b, NdArray g) {
        return matmul(g, b.transpose(-1, -2));
    }

    /**
     * Aᵀ·g laid out like B: when B is a transposed view (a Linear layer's Wᵀ) it is computed as
     * (gᵀ·A)ᵀ, so the weight's own gradient arrives contiguous and needs no transposing copy. Each
     * element is the same sum in the same order either way.
     */
    private static NdArray gradB(NdArray a, NdArray b, NdArray g) {
        if (b.isTransposedMatrix()) {
            return matmul(g.transpose(-1, -2), a).transpose(-1, -2);
        }
        return matmul(a.transpose(-1, -2), g);
    }

    /** A is (..., m, k) and B (..., k, n) with the same batch axes, and g is (..., m, n). */
    private static void checkGradShapes(NdArray a, NdArray b, NdArray g) {
        int[] as = a.shape();
        int[] bs = b.shape();
        int r = as.length;
        boolean fits = r >= 2 && bs.length == r && as[r - 1] == bs[r - 2]
                && Arrays.equals(as, 0, r - 2, bs, 0, r - 2)
                && Arrays.equals(g.shape(), Shapes.withMatrix(Arrays.copyOf(as, r - 2), as[r - 2], bs[r - 1]));
        if (!fits) {
            throw new ShapeException("matmul gradients: shapes " + Shapes.str(as) + " and " + Shapes.str(bs)
                    + " with gradient " + Shapes.str(g.shape())
                    + " are not (..., m, k), (..., k, n) and (..., m, n) with the same batch axes");
        }
    }
}
