package descent.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API kernels against the scalar reference: odd lengths (so tail loops run), strides
 * 1, 0 (broadcast) and 3 (strided views), non-zero offsets, float and double.
 */
class VectorKernelsTest {

    private static final Kernels VEC = VectorKernels.INSTANCE;
    private static final Kernels REF = ScalarKernels.INSTANCE;
    private static final int[] LENGTHS = {0, 1, 3, 7, 8, 9, 15, 17, 31, 33, 64, 101};
    private static final int[] STRIDES = {1, 0, 3};

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    private static double[] data(int n, long seed, boolean positive) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double v = r.nextDouble(-3, 3);
            x[i] = positive ? Math.abs(v) + 0.1 : v;
        }
        // Exact ties and zeros exercise comparisons, sign, relu and select.
        if (n > 4) {
            x[1] = 0;
            x[3] = x[2];
        }
        return x;
    }

    private static float[] floats(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    private static void close(double expected, double actual, double tol, String what) {
        if (Double.isNaN(expected)) {
            assertTrue(Double.isNaN(actual), what + ": expected NaN, got " + actual);
        } else {
            assertEquals(expected, actual, tol * Math.max(1, Math.abs(expected)), what);
        }
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryMatchesScalar(UnaryOp op) {
        boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT;
        for (int n : LENGTHS) {
            for (int stride : STRIDES) {
                int off = 2;
                double[] x = data(off + Math.max(1, n * Math.max(stride, 1)), n, positive);
                double[] outD = new double[n + 1];
                double[] refD = new double[n + 1];
                VEC.unary(op, x, off, stride, outD, 1, n);
                REF.unary(op, x, off, stride, refD, 1, n);
                float[] xf = floats(x);
                float[] outF = new float[n + 1];
                float[] refF = new float[n + 1];
                VEC.unary(op, xf, off, stride, outF, 1, n);
                REF.unary(op, xf, off, stride, refF, 1, n);
                for (int i = 0; i <= n; i++) {
                    String what = op + " n=" + n + " stride=" + stride + " i=" + i;
                    close(refD[i], outD[i], 1e-14, what + " (double)");
                    close(refF[i], outF[i], 1e-6, what + " (float)");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryMatchesScalar(BinaryOp op) {
        boolean positive = op == BinaryOp.POW;
        for (int n : LENGTHS) {
            for (int sa : STRIDES) {
                for (int sb : STRIDES) {
                    double[] a = data(1 + Math.max(1, n * Math.max(sa, 1)), 7 + n, positive);
                    double[] b = data(1 + Math.max(1, n * Math.max(sb, 1)), 8 + n, positive);
                    b[1] = a[1]; // a tie in lane 1 when both are read with stride 1
                    double[] outD = new double[n];
                    double[] refD = new double[n];
                    VEC.binary(op, a, 1, sa, b, 1, sb, outD, 0, n);
                    REF.binary(op, a, 1, sa, b, 1, sb, refD, 0, n);
                    float[] outF = new float[n];
                    float[] refF = new float[n];
                    VEC.binary(op, floats(a), 1, sa, floats(b), 1, sb, outF, 0, n);
                    REF.binary(op, floats(a), 1, sa, floats(b), 1, sb, refF, 0, n);
                    for (int i = 0; i < n; i++) {
                        String what = op + " n=" + n + " strides=" + sa + "," + sb + " i=" + i;
                        close(refD[i], outD[i], 1e-14, what + " (double)");
                        close(refF[i], outF[i], 1e-6, what + " (float)");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 0, 3})
    void selectSumAndMaxMatchScalar(int stride) {
        for (int n : LENGTHS) {
            int len = 1 + Math.max(1, n * Math.max(stride, 1));
            double[] c = data(len, 1, false);
            for (int i = 0; i < len; i++) {
                c[i] = c[i] > 0 ? 1 : 0;
            }
            double[] a = data(len, 2, false);
            double[] b = data(len, 3, false);
            double[] outD = new double[n];
            double[] refD = new double[n];
            VEC.select(c, 1, stride, a, 1, stride, b, 1, 1, outD, 0, n);
            REF.select(c, 1, stride, a, 1, stride, b, 1, 1, refD, 0, n);
            float[] outF = new float[n];
            float[] refF = new float[n];
            VEC.select(floats(c), 1, stride, floats(a), 1, stride, floats(b), 1, 1, outF, 0, n);
            REF.select(floats(c), 1, stride, floats(a), 1, stride, floats(b), 1, 1, refF, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(refD[i], outD[i], "select double n=" + n + " i=" + i);
                assertEquals(refF[i], outF[i], "select float n=" + n + " i=" + i);
            }
            close(REF.sum(a, 1, stride, n), VEC.sum(a, 1, stride, n), 1e-13, "sum double n=" + n);
            close(REF.sum(floats(a), 1, stride, n), VEC.sum(floats(a), 1, stride, n), 1e-5, "sum float n=" + n);
            assertEquals(REF.max(a, 1, stride, n), VEC.max(a, 1, stride, n), "max double n=" + n);
            assertEquals(REF.max(floats(a), 1, stride, n), VEC.max(floats(a), 1, stride, n), "max float n=" + n);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void gemmMatchesScalarInEveryLayout(int threads) {
        Parallel.setThreads(threads);
        // The last three are big enough for two threads: columns shared out in chunks (A read in place,
        // or packed because its rows are 512 floats apart), and rows.
        int[][] shapes = {{1, 1, 1}, {6, 16, 8}, {7, 17, 5}, {13, 33, 300}, {64, 10, 70}, {5, 70, 1}, {130, 45, 9},
                {3, 0, 4}, {4, 3, 0}, {70, 100, 300}, {70, 100, 512}, {300, 40, 60}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            double[] a = data(m * k + 3, m, false);
            double[] b = data(k * n + 3, n, false);
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    int aRs = ta ? 1 : k;
                    int aCs = ta ? m : 1;
                    int bRs = tb ? 1 : n;
                    int bCs = tb ? k : 1;
                    for (boolean acc : new boolean[] {false, true}) {
                        int ldc = n + 2;
                        double[] cD = data(m * ldc + 1, 99, false);
                        double[] rD = cD.clone();
                        VEC.gemm(m, n, k, a, 3, aRs, aCs, b, 3, bRs, bCs, cD, 1, ldc, acc);
                        REF.gemm(m, n, k, a, 3, aRs, aCs, b, 3, bRs, bCs, rD, 1, ldc, acc);
                        float[] cF = floats(data(m * ldc + 1, 99, false));
                        float[] rF = cF.clone();
                        VEC.gemm(m, n, k, floats(a), 3, aRs, aCs, floats(b), 3, bRs, bCs, cF, 1, ldc, acc);
                        REF.gemm(m, n, k, floats(a), 3, aRs, aCs, floats(b), 3, bRs, bCs, rF, 1, ldc, acc);
                        for (int i = 0; i < cD.length; i++) {
                            String what = "gemm " + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " acc=" + acc
                                    + " threads=" + threads + " at " + i;
                            close(rD[i], cD[i], 1e-12, what + " (double)");
                            assertEquals(rF[i], cF[i], 1e-4 * Math.max(1, Math.sqrt(k)), what + " (float)");
                        }
                    }
                }
            }
        }
    }

    @Test
    void floatGemmGivesTheSameBitsOnAnyNumberOfThreads() {
        int m = 128, n = 784, k = 300;
        float[] a = floats(data(m * k, 5, false));
        float[] b = floats(data(k * n, 6, false));
        for (boolean ta : new boolean[] {false, true}) { // A read in place, and A packed
            float[][] c = new float[3][m * n];
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                VEC.gemm(m, n, k, a, 0, ta ? 1 : k, ta ? m : 1, b, 0, n, 1, c[threads - 1], 0, n, false);
            }
            assertSame(c[0], c[1], "1 and 2 threads, transposed A: " + ta);
            assertSame(c[0], c[2], "1 and 3 threads, transposed A: " + ta);
        }
    }

    private static final SgdStep[] SGD_STEPS = {
        new SgdStep(0.1, 0, 0, 0, false),
        new SgdStep(0.05, 0.01, 0.9, 0, false),
        new SgdStep(0.03, 0.002, 0.8, 0.3, false),
        new SgdStep(0.02, 0.001, 0.9, 0, true),
    };

    private static final AdamStep[] ADAM_STEPS = {
        new AdamStep(1e-3, 0, 0, 0.9, 0.999, 1e-8, 1 - 0.9 * 0.9, Math.sqrt(1 - 0.999 * 0.999)),
        new AdamStep(3e-3, 0.01, 0, 0.5, 0.99, 1e-3, 1, 1),
        new AdamStep(2e-3, 0, 0.1, 0.9, 0.999, 1e-8, 0.1, 0.0316),
    };

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void optimizerStepsEqualTheReferenceBitForBit(boolean firstStep) {
        // The last length is split among threads.
        int[] lengths = java.util.Arrays.copyOf(LENGTHS, LENGTHS.length + 1);
        lengths[LENGTHS.length] = 200_003;
        for (int n : lengths) {
            double[] p = data(n, 1, false), g = data(n, 2, false), b = data(n, 3, false), v = data(n, 4, true);
            for (SgdStep s : SGD_STEPS) {
                double[] b0 = firstStep ? null : b;
                double[] outV = new double[n], outR = new double[n], bV = new double[n], bR = new double[n];
                VEC.sgd(s, p, g, b0, bV, outV, n);
                REF.sgd(s, p, g, b0, bR, outR, n);
                assertSame(outR, outV, "sgd double " + s + " n=" + n);
                assertSame(bR, bV, "sgd double buffer " + s + " n=" + n);
                float[] fOutV = new float[n], fOutR = new float[n], fbV = new float[n], fbR = new float[n];
                VEC.sgd(s, floats(p), floats(g), firstStep ? null : floats(b), fbV, fOutV, n);
                REF.sgd(s, floats(p), floats(g), firstStep ? null : floats(b), fbR, fOutR, n);
                assertSame(fOutR, fOutV, "sgd float " + s + " n=" + n);
                assertSame(fbR, fbV, "sgd float buffer " + s + " n=" + n);
            }
            for (AdamStep s : ADAM_STEPS) {
                double[][] vec = {new double[n], new double[n], new double[n]};
                double[][] ref = {new double[n], new double[n], new double[n]};
                VEC.adam(s, p, g, b, v, vec[0], vec[1], vec[2], n);
                REF.adam(s, p, g, b, v, ref[0], ref[1], ref[2], n);
                float[][] fVec = {new float[n], new float[n], new float[n]};
                float[][] fRef = {new float[n], new float[n], new float[n]};
                VEC.adam(s, floats(p), floats(g), floats(b), floats(v), fVec[0], fVec[1], fVec[2], n);
                REF.adam(s, floats(p), floats(g), floats(b), floats(v), fRef[0], fRef[1], fRef[2], n);
                for (int i = 0; i < 3; i++) {
                    assertSame(ref[i], vec[i], "adam double " + s + " n=" + n + " output " + i);
                    assertSame(fRef[i], fVec[i], "adam float " + s + " n=" + n + " output " + i);
                }
            }
        }
    }

    private static void assertSame(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]), what + " [" + i + "]");
        }
    }

    private static void assertSame(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + " [" + i + "]");
        }
    }
}
