package descent.tensor;

import java.util.Arrays;

/**
 * Elementwise combinations that optimizers apply to every parameter each step, in one pass and one
 * new array instead of one per operation. Each gives bit-for-bit the result of the composed
 * operations written in its Javadoc (the scalars are rounded to the dtype first and every product
 * and sum is rounded as the composed form rounds it), so fusing changes speed, not numbers. The
 * arrays must have the same shape and dtype.
 */
public final class Fused {

    private Fused() {}

    /** {@code x.mul(alpha).add(y.mul(beta))}. */
    public static NdArray axpby(double alpha, NdArray x, double beta, NdArray y) {
        check("axpby", x, y);
        NdArray cx = x.contiguous(), cy = y.contiguous();
        int n = x.size(), ox = cx.layout.offset(), oy = cy.layout.offset();
        if (x.dtype == DType.FLOAT32) {
            float a = (float) alpha, b = (float) beta;
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = cx.f[ox + i] * a + cy.f[oy + i] * b;
            }
            return new NdArray(DType.FLOAT32, Layout.contiguous(x.shape()), out, null);
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = cx.d[ox + i] * alpha + cy.d[oy + i] * beta;
        }
        return new NdArray(DType.FLOAT64, Layout.contiguous(x.shape()), null, out);
    }

    /** {@code x.mul(alpha).add(y.mul(z).mul(beta))}. */
    public static NdArray addcmul(double alpha, NdArray x, double beta, NdArray y, NdArray z) {
        check("addcmul", x, y);
        check("addcmul", x, z);
        NdArray cx = x.contiguous(), cy = y.contiguous(), cz = z.contiguous();
        int n = x.size(), ox = cx.layout.offset(), oy = cy.layout.offset(), oz = cz.layout.offset();
        if (x.dtype == DType.FLOAT32) {
            float a = (float) alpha, b = (float) beta;
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = cx.f[ox + i] * a + cy.f[oy + i] * cz.f[oz + i] * b;
            }
            return new NdArray(DType.FLOAT32, Layout.contiguous(x.shape()), out, null);
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = cx.d[ox + i] * alpha + cy.d[oy + i] * cz.d[oz + i] * beta;
        }
        return new NdArray(DType.FLOAT64, Layout.contiguous(x.shape()), null, out);
    }

    /** {@code m.mul(alpha).div(v.map(SQRT).mul(beta).add(eps))}: Adam's and RMSProp's step direction. */
    public static NdArray ratioToRoot(double alpha, NdArray m, double beta, NdArray v, double eps) {
        check("ratioToRoot", m, v);
        NdArray cm = m.contiguous(), cv = v.contiguous();
        int n = m.size(), om = cm.layout.offset(), ov = cv.layout.offset();
        if (m.dtype == DType.FLOAT32) {
            float a = (float) alpha, b = (float) beta, e = (float) eps;
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = cm.f[om + i] * a / ((float) Math.sqrt(cv.f[ov + i]) * b + e);
            }
            return new NdArray(DType.FLOAT32, Layout.contiguous(m.shape()), out, null);
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = cm.d[om + i] * alpha / (Math.sqrt(cv.d[ov + i]) * beta + eps);
        }
        return new NdArray(DType.FLOAT64, Layout.contiguous(m.shape()), null, out);
    }

    private static void check(String op, NdArray a, NdArray b) {
        if (!Arrays.equals(a.layout.shape(), b.layout.shape()) || a.dtype != b.dtype) {
            throw new ShapeException(op + ": shapes " + Shapes.str(a.layout.shape()) + " " + a.dtype + " and "
                    + Shapes.str(b.layout.shape()) + " " + b.dtype + " must be equal");
        }
    }
}
