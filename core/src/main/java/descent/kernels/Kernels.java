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

    /** The kernels chosen at start-up: Vector API unless unavailable or forced scalar. */
    static Kernels get() {
        return KernelChoice.INSTANCE;
    }

    /** The scalar reference kernels, whatever was chosen. */
    static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }
}
