package descent.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Double-precision GEMM: rows of C accumulated as sums of scaled rows of B, in vector lanes.
 *
 * <p>float64 serves gradient checks and exact Hessians of small models, where clarity matters more
 * than the last factor of speed, so this kernel is a plain row-times-matrix loop over a
 * contiguous copy of B (made only when B's rows are not contiguous), split by rows across workers.
 */
final class DoubleGemm {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final long MIN_WORK_PER_THREAD = 1L << 17;

    private DoubleGemm() {}

    static void gemm(int m, int n, int k, double[] a, int aOff, int aRs, int aCs,
                     double[] b, int bOff, int bRs, int bCs,
                     double[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        double[] bRows = b;
        int bo = bOff;
        int ldb = bRs;
        if (bCs != 1) {
            bRows = new double[k * n];
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    bRows[p * n + j] = b[bOff + p * bRs + j * bCs];
                }
            }
            bo = 0;
            ldb = n;
        }
        final double[] bb = bRows;
        final int bbo = bo;
        final int bld = ldb;
        long work = (long) m * n * Math.max(k, 1);
        int parts = (int) Math.max(1, Math.min(Math.min(Parallel.threads(), m), work / MIN_WORK_PER_THREAD));
        Parallel.run(parts, t -> {
            int i1 = m * (t + 1) / parts;
            for (int i = m * t / parts; i < i1; i++) {
                row(n, k, a, aOff + i * aRs, aCs, bb, bbo, bld, c, cOff + i * ldc, accumulate);
            }
        });
    }

    private static void row(int n, int k, double[] a, int ai, int aCs, double[] b, int bo, int ldb,
                            double[] c, int ci, boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(c, ci, ci + n, 0d);
        }
        int bound = S.loopBound(n);
        for (int p = 0; p < k; p++) {
            double x = a[ai + p * aCs];
            int br = bo + p * ldb;
            DoubleVector xv = DoubleVector.broadcast(S, x);
            int j = 0;
            for (; j < bound; j += S.length()) {
                xv.fma(DoubleVector.fromArray(S, b, br + j), DoubleVector.fromArray(S, c, ci + j))
                        .intoArray(c, ci + j);
            }
            for (; j < n; j++) {
                c[ci + j] = Math.fma(x, b[br + j], c[ci + j]);
            }
        }
    }
}
