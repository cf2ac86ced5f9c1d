package descent.kernels;

/**
 * The reference kernels: plain loops, one element at a time, in the element type.
 * Every other implementation is tested against these.
 */
final class ScalarKernels implements Kernels {

    static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void unary(UnaryOp op, float[] x, int xOff, int xStride, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) op.apply(x[xOff + i * xStride]);
        }
    }

    @Override
    public void unary(UnaryOp op, double[] x, int xOff, int xStride, double[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = op.apply(x[xOff + i * xStride]);
        }
    }

    @Override
    public void binary(BinaryOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                       float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            // Float arithmetic rounded once, as in the element type.
            out[outOff + i] = (float) op.apply(a[aOff + i * aStride], b[bOff + i * bStride]);
        }
    }

    @Override
    public void binary(BinaryOp op, double[] a, int aOff, int aStride, double[] b, int bOff, int bStride,
                       double[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = op.apply(a[aOff + i * aStride], b[bOff + i * bStride]);
        }
    }

    @Override
    public void select(float[] cond, int cOff, int cStride, float[] a, int aOff, int aStride,
                       float[] b, int bOff, int bStride, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = cond[cOff + i * cStride] != 0 ? a[aOff + i * aStride] : b[bOff + i * bStride];
        }
    }

    @Override
    public void select(double[] cond, int cOff, int cStride, double[] a, int aOff, int aStride,
                       double[] b, int bOff, int bStride, double[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = cond[cOff + i * cStride] != 0 ? a[aOff + i * aStride] : b[bOff + i * bStride];
        }
    }

    @Override
    public float sum(float[] x, int off, int stride, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) {
            s += x[off + i * stride];
        }
        return s;
    }

    @Override
    public double sum(double[] x, int off, int stride, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[off + i * stride];
        }
        return s;
    }

    @Override
    public float max(float[] x, int off, int stride, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[off + i * stride]);
        }
        return m;
    }

    @Override
    public double max(double[] x, int off, int stride, int n) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[off + i * stride]);
        }
        return m;
    }

    @Override
    public void gemm(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
                     float[] b, int bOff, int bRowStride, int bColStride,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[aOff + i * aRowStride + p * aColStride] * b[bOff + p * bRowStride + j * bColStride];
                }
                int at = cOff + i * ldc + j;
                c[at] = accumulate ? c[at] + s : s;
            }
        }
    }

    @Override
    public void gemm(int m, int n, int k, double[] a, int aOff, int aRowStride, int aColStride,
                     double[] b, int bOff, int bRowStride, int bColStride,
                     double[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[aOff + i * aRowStride + p * aColStride] * b[bOff + p * bRowStride + j * bColStride];
                }
                int at = cOff + i * ldc + j;
                c[at] = accumulate ? c[at] + s : s;
            }
        }
    }
}
