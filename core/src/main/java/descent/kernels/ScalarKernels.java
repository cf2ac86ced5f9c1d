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

    @Override
    public void sgd(SgdStep s, float[] p, float[] g, float[] b, float[] bOut, float[] out, int n) {
        sgd(s, p, g, b, bOut, out, 0, n);
    }

    /** Elements [from, to) of {@link #sgd}: the vector kernels' tail. */
    static void sgd(SgdStep s, float[] p, float[] g, float[] b, float[] bOut, float[] out, int from, int to) {
        boolean decay = s.weightDecay() != 0, momentum = s.momentum() != 0, first = b == null;
        float lambda = (float) s.weightDecay(), mu = (float) s.momentum(), keep = (float) s.keep();
        float step = (float) s.scale();
        for (int i = from; i < to; i++) {
            float u = decay ? g[i] + p[i] * lambda : g[i];
            float d = u;
            if (momentum) {
                float bn = first ? u : b[i] * mu + u * keep;
                bOut[i] = bn;
                d = s.nesterov() ? u + bn * mu : bn;
            }
            out[i] = p[i] + d * step;
        }
    }

    @Override
    public void sgd(SgdStep s, double[] p, double[] g, double[] b, double[] bOut, double[] out, int n) {
        sgd(s, p, g, b, bOut, out, 0, n);
    }

    static void sgd(SgdStep s, double[] p, double[] g, double[] b, double[] bOut, double[] out, int from, int to) {
        boolean decay = s.weightDecay() != 0, momentum = s.momentum() != 0, first = b == null;
        double lambda = s.weightDecay(), mu = s.momentum(), keep = s.keep(), step = s.scale();
        for (int i = from; i < to; i++) {
            double u = decay ? g[i] + p[i] * lambda : g[i];
            double d = u;
            if (momentum) {
                double bn = first ? u : b[i] * mu + u * keep;
                bOut[i] = bn;
                d = s.nesterov() ? u + bn * mu : bn;
            }
            out[i] = p[i] + d * step;
        }
    }

    @Override
    public void adam(AdamStep s, float[] p, float[] g, float[] m, float[] v, float[] mOut, float[] vOut, float[] out,
                     int n) {
        adam(s, p, g, m, v, mOut, vOut, out, 0, n);
    }

    /** Elements [from, to) of {@link #adam}: the vector kernels' tail. */
    static void adam(AdamStep s, float[] p, float[] g, float[] m, float[] v, float[] mOut, float[] vOut, float[] out,
                     int from, int to) {
        boolean decay = s.weightDecay() != 0, decoupled = s.decoupledDecay() != 0;
        float lambda = (float) s.weightDecay(), lambdaD = (float) s.decoupledDecay();
        float b1 = (float) s.beta1(), k1 = (float) s.keep1(), b2 = (float) s.beta2(), k2 = (float) s.keep2();
        float c1 = (float) s.inverseFirstCorrection(), c2 = (float) s.inverseSecondCorrection(), eps = (float) s.eps();
        float step = (float) s.scale();
        for (int i = from; i < to; i++) {
            float u = decay ? g[i] + p[i] * lambda : g[i];
            float mn = m[i] * b1 + u * k1;
            float vn = v[i] * b2 + u * u * k2;
            mOut[i] = mn;
            vOut[i] = vn;
            float d = mn * c1 / ((float) Math.sqrt(vn) * c2 + eps);
            if (decoupled) {
                d = d + p[i] * lambdaD;
            }
            out[i] = p[i] + d * step;
        }
    }

    @Override
    public void adam(AdamStep s, double[] p, double[] g, double[] m, double[] v, double[] mOut, double[] vOut,
                     double[] out, int n) {
        adam(s, p, g, m, v, mOut, vOut, out, 0, n);
    }

    static void adam(AdamStep s, double[] p, double[] g, double[] m, double[] v, double[] mOut, double[] vOut,
                     double[] out, int from, int to) {
        boolean decay = s.weightDecay() != 0, decoupled = s.decoupledDecay() != 0;
        double lambda = s.weightDecay(), lambdaD = s.decoupledDecay();
        double b1 = s.beta1(), k1 = s.keep1(), b2 = s.beta2(), k2 = s.keep2();
        double c1 = s.inverseFirstCorrection(), c2 = s.inverseSecondCorrection(), eps = s.eps(), step = s.scale();
        for (int i = from; i < to; i++) {
            double u = decay ? g[i] + p[i] * lambda : g[i];
            double mn = m[i] * b1 + u * k1;
            double vn = v[i] * b2 + u * u * k2;
            mOut[i] = mn;
            vOut[i] = vn;
            double d = mn * c1 / (Math.sqrt(vn) * c2 + eps);
            if (decoupled) {
                d = d + p[i] * lambdaD;
            }
            out[i] = p[i] + d * step;
        }
    }
}
