package descent.kernels;

/**
 * The CPU kernels behind every tensor operation.
 *
 * <p>A "row" is {@code n} elements read from {@code off + i * stride}; a stride of 0 repeats one
 * element (broadcasting). Outputs are always contiguous. Matrices in {@code gemm} are addressed by
 * a row stride and a column stride, so transposed operands are read in place.
 */
public interface Kernels {

    /** The system property that forces the scalar reference kernels: {@code -Ddescent.kernels=scalar}. */
    String PROPERTY = "descent.kernels";

    /** A short name for reports: "scalar" or "vector-256" and the like. */
    String name();

    void unary(UnaryOp op, float[] x, int xOff, int xStride, float[] out, int outOff, int n);

    void unary(UnaryOp op, double[] x, int xOff, int xStride, double[] out, int outOff, int n);

    void binary(BinaryOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                float[] out, int outOff, int n);

    void binary(BinaryOp op, double[] a, int aOff, int aStride, double[] b, int bOff, int bStride,
                double[] out, int outOff, int n);

    /** {@code out[i] = cond[i] != 0 ? a[i] : b[i]}, all three rows read with their own strides. */
    void select(float[] cond, int cOff, int cStride, float[] a, int aOff, int aStride,
                float[] b, int bOff, int bStride, float[] out, int outOff, int n);

    void select(double[] cond, int cOff, int cStride, double[] a, int aOff, int aStride,
                double[] b, int bOff, int bStride, double[] out, int outOff, int n);

    float sum(float[] x, int off, int stride, int n);

    double sum(double[] x, int off, int stride, int n);

    /** The largest element; NaN if any element is NaN; negative infinity for an empty row. */
    float max(float[] x, int off, int stride, int n);

    double max(double[] x, int off, int stride, int n);

    /**
     * {@code C = A·B} (or {@code C += A·B} when {@code accumulate}) for an m×k matrix A and a k×n
     * matrix B, element (i, j) of A at {@code aOff + i*aRowStride + j*aColStride}, likewise B; C is
     * row-major with leading dimension {@code ldc}.
     */
    void gemm(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
              float[] b, int bOff, int bRowStride, int bColStride,
              float[] c, int cOff, int ldc, boolean accumulate);

    void gemm(int m, int n, int k, double[] a, int aOff, int aRowStride, int aColStride,
              double[] b, int bOff, int bRowStride, int bColStride,
              double[] c, int cOff, int ldc, boolean accumulate);

    /**
     * One SGD step over n elements, in one pass: u = g + λ·p; with momentum, the new buffer
     * bOut = u at the first step (b null) and μ·b + (1 − dampening)·u after, and the direction
     * bOut, or u + μ·bOut with Nesterov; without, the direction u (b and bOut unused). Writes
     * p − lr·direction into out. bOut may be b itself. Every product and sum is rounded to the
     * arrays' precision, as the same operations done one array at a time would be.
     */
    void sgd(SgdStep s, float[] p, float[] g, float[] b, float[] bOut, float[] out, int n);

    void sgd(SgdStep s, double[] p, double[] g, double[] b, double[] bOut, double[] out, int n);

    /**
     * One Adam step over n elements, in one pass: u = g + λ·p, mOut = β₁m + (1−β₁)u,
     * vOut = β₂v + (1−β₂)u², direction (mOut/c₁) / (√vOut/c₂ + ε) + λ_d·p, and p − lr·direction
     * written into out. mOut and vOut may be m and v themselves. Rounded as {@link #sgd} is.
     */
    void adam(AdamStep s, float[] p, float[] g, float[] m, float[] v, float[] mOut, float[] vOut, float[] out, int n);

    void adam(AdamStep s, double[] p, double[] g, double[] m, double[] v, double[] mOut, double[] vOut, double[] out,
              int n);

    /** The kernels chosen at start-up: Vector API unless unavailable or forced scalar. */
    static Kernels get() {
        return KernelChoice.INSTANCE;
    }

    /** The scalar reference kernels, whatever was chosen. */
    static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }
}
