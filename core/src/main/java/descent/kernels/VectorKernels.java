package descent.kernels;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Vector API's preferred species (256 bits on AVX2, 512 on AVX-512).
 *
 * <p>Rows with stride 1 or 0 (broadcast) run in vector lanes; any other stride, and the tail of a
 * row shorter than a vector, runs the scalar reference. Each loop tests its strides once outside
 * the hot path; the JIT unswitches these loop-invariant tests.
 *
 * <p>Results never depend on the JIT: the Vector API's transcendental lanewise ops (exp, log, tanh,
 * pow) run SVML code once compiled but {@code Math} per lane before, and the two round differently,
 * so those ops run the scalar reference; and lane sums are added in lane order rather than by
 * {@code reduceLanes}, whose order is unspecified. Seeded runs are then bit-for-bit reproducible,
 * and a resumed run (a cold JVM) computes exactly what the uninterrupted one (a warm JVM) did.
 */
final class VectorKernels implements Kernels {

    static final VectorKernels INSTANCE = new VectorKernels();

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final Kernels REF = ScalarKernels.INSTANCE;

    private VectorKernels() {}

    @Override
    public String name() {
        return "vector-" + F.vectorBitSize();
    }

    private static boolean simd(int stride) {
        return stride == 0 || stride == 1;
    }

    /** The lanes added in lane order, without the array that {@code toArray} would allocate. */
    private static float laneSum(FloatVector acc) {
        float s = 0;
        for (int l = 0; l < F.length(); l++) {
            s += acc.lane(l);
        }
        return s;
    }

    private static double laneSum(DoubleVector acc) {
        double s = 0;
        for (int l = 0; l < D.length(); l++) {
            s += acc.lane(l);
        }
        return s;
    }

    /** Ops whose lanewise form would round differently before and after JIT compilation (see above). */
    private static boolean transcendental(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, SIGMOID, TANH, ERF, SIN, COS -> true;
            case COPY, NEG, SQRT, ABS, SIGN, RELU -> false;
        };
    }

    // ---- float ----

    @Override
    public void unary(UnaryOp op, float[] x, int xOff, int xStride, float[] out, int outOff, int n) {
        if (xStride != 1 || transcendental(op)) {
            REF.unary(op, x, xOff, xStride, out, outOff, n);
            return;
        }
        int i = 0;
        int bound = F.loopBound(n);
        int step = F.length();
        switch (op) { // one loop per common op, as in binary
            case RELU -> {
                for (; i < bound; i += step) {
                    FloatVector.fromArray(F, x, xOff + i).max(0f).intoArray(out, outOff + i);
                }
            }
            case NEG -> {
                for (; i < bound; i += step) {
                    FloatVector.fromArray(F, x, xOff + i).neg().intoArray(out, outOff + i);
                }
            }
            case SQRT -> {
                for (; i < bound; i += step) {
                    FloatVector.fromArray(F, x, xOff + i).sqrt().intoArray(out, outOff + i);
                }
            }
            default -> {
                for (; i < bound; i += step) {
                    apply(op, FloatVector.fromArray(F, x, xOff + i)).intoArray(out, outOff + i);
                }
            }
        }
        REF.unary(op, x, xOff + i, 1, out, outOff + i, n - i);
    }

    private static FloatVector apply(UnaryOp op, FloatVector v) {
        return switch (op) {
            case COPY -> v;
            case NEG -> v.neg();
            case SQRT -> v.sqrt();
            case ABS -> v.abs();
            case SIGN -> v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f));
            case RELU -> v.max(0f);
            case EXP, LOG, SIGMOID, TANH, ERF, SIN, COS -> throw new AssertionError(op + " runs the scalar reference");
        };
    }

    @Override
    public void binary(BinaryOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                       float[] out, int outOff, int n) {
        if (!simd(aStride) || !simd(bStride) || n < F.length() || op == BinaryOp.POW) {
            REF.binary(op, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
            return;
        }
        FloatVector aBroadcast = FloatVector.broadcast(F, a[aOff]);
        FloatVector bBroadcast = FloatVector.broadcast(F, b[bOff]);
        int i = 0;
        int bound = F.loopBound(n);
        int step = F.length();
        // One loop per arithmetic op: with the op chosen inside the loop, C2 does not intrinsify the
        // vector operations and every lane op falls back to Java code (about 5x slower).
        switch (op) {
            case ADD -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).add(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case SUB -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).sub(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).mul(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case DIV -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).div(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case MAX -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).max(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case MIN -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).min(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case EQ, NE, LT, LE, GT, GE -> i = compare(op, a, aOff, aStride, b, bOff, bStride, out, outOff, bound);
            case POW -> throw new AssertionError("pow runs the scalar reference");
        }
        REF.binary(op, a, aOff + i * aStride, aStride, b, bOff + i * bStride, bStride, out, outOff + i, n - i);
    }

    /** Comparisons as 1 or 0, one loop per operator as for the arithmetic ops; returns where it stopped. */
    private static int compare(BinaryOp op, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
                               float[] out, int outOff, int bound) {
        // A broadcast operand (x > 0) is read from a vector's worth of copies: with a choice between
        // a broadcast and a load in the loop, C2 boxed the vectors here, one allocation per iteration.
        if (aStride == 0) {
            a = copies(a[aOff]);
            aOff = 0;
        }
        if (bStride == 0) {
            b = copies(b[bOff]);
            bOff = 0;
        }
        int step = F.length();
        int i = 0;
        switch (op) {
            case EQ -> {
                for (; i < bound; i += step) {
                    truth(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.EQ, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            case NE -> {
                for (; i < bound; i += step) {
                    truth(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.NE, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            case LT -> {
                for (; i < bound; i += step) {
                    truth(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.LT, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            case LE -> {
                for (; i < bound; i += step) {
                    truth(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.LE, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            case GT -> {
                for (; i < bound; i += step) {
                    truth(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.GT, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            case GE -> {
                for (; i < bound; i += step) {
                    truth(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.GE, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            default -> throw new AssertionError(op + " is not a comparison");
        }
        return i;
    }

    private static FloatVector load(float[] x, int off, int stride, FloatVector broadcast, int i) {
        return stride == 0 ? broadcast : FloatVector.fromArray(F, x, off + i);
    }

    /** A vector's worth of x[off + i·stride], for strides 0 and 1 (0 reads an array of copies). */
    private static FloatVector strided(float[] x, int off, int stride, int i) {
        return FloatVector.fromArray(F, x, off + i * stride);
    }

    private static float[] copies(float v) {
        float[] lanes = new float[F.length()];
        Arrays.fill(lanes, v);
        return lanes;
    }

    private static final FloatVector ZEROS = FloatVector.zero(F);
    private static final FloatVector ONES = FloatVector.broadcast(F, 1f);
    private static final DoubleVector ZEROS_D = DoubleVector.zero(D);
    private static final DoubleVector ONES_D = DoubleVector.broadcast(D, 1d);

    private static FloatVector truth(VectorMask<Float> m) {
        return ZEROS.blend(ONES, m);
    }

    @Override
    public void select(float[] cond, int cOff, int cStride, float[] a, int aOff, int aStride,
                       float[] b, int bOff, int bStride, float[] out, int outOff, int n) {
        if (!simd(cStride) || !simd(aStride) || !simd(bStride) || n < F.length()) {
            REF.select(cond, cOff, cStride, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
            return;
        }
        FloatVector cBroadcast = FloatVector.broadcast(F, cond[cOff]);
        FloatVector aBroadcast = FloatVector.broadcast(F, a[aOff]);
        FloatVector bBroadcast = FloatVector.broadcast(F, b[bOff]);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector vc = cStride == 0 ? cBroadcast : FloatVector.fromArray(F, cond, cOff + i);
            FloatVector va = aStride == 0 ? aBroadcast : FloatVector.fromArray(F, a, aOff + i);
            FloatVector vb = bStride == 0 ? bBroadcast : FloatVector.fromArray(F, b, bOff + i);
            vb.blend(va, vc.compare(VectorOperators.NE, 0f)).intoArray(out, outOff + i);
        }
        REF.select(cond, cOff + i * cStride, cStride, a, aOff + i * aStride, aStride,
                b, bOff + i * bStride, bStride, out, outOff + i, n - i);
    }

    @Override
    public float sum(float[] x, int off, int stride, int n) {
        if (stride != 1) {
            return REF.sum(x, off, stride, n);
        }
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            acc = acc.add(FloatVector.fromArray(F, x, off + i));
        }
        return laneSum(acc) + REF.sum(x, off + i, 1, n - i);
    }

    @Override
    public float max(float[] x, int off, int stride, int n) {
        if (stride != 1) {
            return REF.max(x, off, stride, n);
        }
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            acc = acc.max(FloatVector.fromArray(F, x, off + i));
        }
        return Math.max(acc.reduceLanes(VectorOperators.MAX), REF.max(x, off + i, 1, n - i));
    }

    @Override
    public void gemm(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
                     float[] b, int bOff, int bRowStride, int bColStride,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        FloatGemm.gemm(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                c, cOff, ldc, accumulate);
    }

    // ---- double: the same loops on DoubleVector ----

    @Override
    public void unary(UnaryOp op, double[] x, int xOff, int xStride, double[] out, int outOff, int n) {
        if (xStride != 1 || transcendental(op)) {
            REF.unary(op, x, xOff, xStride, out, outOff, n);
            return;
        }
        int i = 0;
        int bound = D.loopBound(n);
        int step = D.length();
        switch (op) { // one loop per common op, as in binary
            case RELU -> {
                for (; i < bound; i += step) {
                    DoubleVector.fromArray(D, x, xOff + i).max(0d).intoArray(out, outOff + i);
                }
            }
            case NEG -> {
                for (; i < bound; i += step) {
                    DoubleVector.fromArray(D, x, xOff + i).neg().intoArray(out, outOff + i);
                }
            }
            case SQRT -> {
                for (; i < bound; i += step) {
                    DoubleVector.fromArray(D, x, xOff + i).sqrt().intoArray(out, outOff + i);
                }
            }
            default -> {
                for (; i < bound; i += step) {
                    apply(op, DoubleVector.fromArray(D, x, xOff + i)).intoArray(out, outOff + i);
                }
            }
        }
        REF.unary(op, x, xOff + i, 1, out, outOff + i, n - i);
    }

    private static DoubleVector apply(UnaryOp op, DoubleVector v) {
        return switch (op) {
            case COPY -> v;
            case NEG -> v.neg();
            case SQRT -> v.sqrt();
            case ABS -> v.abs();
            case SIGN -> v.blend(1d, v.compare(VectorOperators.GT, 0d)).blend(-1d, v.compare(VectorOperators.LT, 0d));
            case RELU -> v.max(0d);
            case EXP, LOG, SIGMOID, TANH, ERF, SIN, COS -> throw new AssertionError(op + " runs the scalar reference");
        };
    }

    @Override
    public void binary(BinaryOp op, double[] a, int aOff, int aStride, double[] b, int bOff, int bStride,
                       double[] out, int outOff, int n) {
        if (!simd(aStride) || !simd(bStride) || n < D.length() || op == BinaryOp.POW) {
            REF.binary(op, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
            return;
        }
        DoubleVector aBroadcast = DoubleVector.broadcast(D, a[aOff]);
        DoubleVector bBroadcast = DoubleVector.broadcast(D, b[bOff]);
        int i = 0;
        int bound = D.loopBound(n);
        int step = D.length();
        // One loop per arithmetic op: with the op chosen inside the loop, C2 does not intrinsify the
        // vector operations and every lane op falls back to Java code (about 5x slower).
        switch (op) {
            case ADD -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).add(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case SUB -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).sub(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).mul(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case DIV -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).div(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case MAX -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).max(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case MIN -> {
                for (; i < bound; i += step) {
                    load(a, aOff, aStride, aBroadcast, i).min(load(b, bOff, bStride, bBroadcast, i)).intoArray(out, outOff + i);
                }
            }
            case EQ, NE, LT, LE, GT, GE -> i = compare(op, a, aOff, aStride, b, bOff, bStride, out, outOff, bound);
            case POW -> throw new AssertionError("pow runs the scalar reference");
        }
        REF.binary(op, a, aOff + i * aStride, aStride, b, bOff + i * bStride, bStride, out, outOff + i, n - i);
    }

    /** Comparisons as 1 or 0, one loop per operator as for the arithmetic ops; returns where it stopped. */
    private static int compare(BinaryOp op, double[] a, int aOff, int aStride, double[] b, int bOff, int bStride,
                               double[] out, int outOff, int bound) {
        // A broadcast operand (x > 0) is read from a vector's worth of copies: with a choice between
        // a broadcast and a load in the loop, C2 boxed the vectors here, one allocation per iteration.
        if (aStride == 0) {
            a = copies(a[aOff]);
            aOff = 0;
        }
        if (bStride == 0) {
            b = copies(b[bOff]);
            bOff = 0;
        }
        int step = D.length();
        int i = 0;
        switch (op) {
            case EQ -> {
                for (; i < bound; i += step) {
                    truthD(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.EQ, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            case NE -> {
                for (; i < bound; i += step) {
                    truthD(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.NE, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            case LT -> {
                for (; i < bound; i += step) {
                    truthD(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.LT, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            case LE -> {
                for (; i < bound; i += step) {
                    truthD(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.LE, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            case GT -> {
                for (; i < bound; i += step) {
                    truthD(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.GT, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            case GE -> {
                for (; i < bound; i += step) {
                    truthD(strided(a, aOff, aStride, i)
                            .compare(VectorOperators.GE, strided(b, bOff, bStride, i))).intoArray(out, outOff + i);
                }
            }
            default -> throw new AssertionError(op + " is not a comparison");
        }
        return i;
    }

    private static DoubleVector load(double[] x, int off, int stride, DoubleVector broadcast, int i) {
        return stride == 0 ? broadcast : DoubleVector.fromArray(D, x, off + i);
    }

    /** A vector's worth of x[off + i·stride], for strides 0 and 1 (0 reads an array of copies). */
    private static DoubleVector strided(double[] x, int off, int stride, int i) {
        return DoubleVector.fromArray(D, x, off + i * stride);
    }

    private static double[] copies(double v) {
        double[] lanes = new double[D.length()];
        Arrays.fill(lanes, v);
        return lanes;
    }

    private static DoubleVector truthD(VectorMask<Double> m) {
        return ZEROS_D.blend(ONES_D, m);
    }

    @Override
    public void select(double[] cond, int cOff, int cStride, double[] a, int aOff, int aStride,
                       double[] b, int bOff, int bStride, double[] out, int outOff, int n) {
        if (!simd(cStride) || !simd(aStride) || !simd(bStride) || n < D.length()) {
            REF.select(cond, cOff, cStride, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
            return;
        }
        DoubleVector cBroadcast = DoubleVector.broadcast(D, cond[cOff]);
        DoubleVector aBroadcast = DoubleVector.broadcast(D, a[aOff]);
        DoubleVector bBroadcast = DoubleVector.broadcast(D, b[bOff]);
        int i = 0;
        for (int bound = D.loopBound(n); i < bound; i += D.length()) {
            DoubleVector vc = cStride == 0 ? cBroadcast : DoubleVector.fromArray(D, cond, cOff + i);
            DoubleVector va = aStride == 0 ? aBroadcast : DoubleVector.fromArray(D, a, aOff + i);
            DoubleVector vb = bStride == 0 ? bBroadcast : DoubleVector.fromArray(D, b, bOff + i);
            vb.blend(va, vc.compare(VectorOperators.NE, 0d)).intoArray(out, outOff + i);
        }
        REF.select(cond, cOff + i * cStride, cStride, a, aOff + i * aStride, aStride,
                b, bOff + i * bStride, bStride, out, outOff + i, n - i);
    }

    @Override
    public double sum(double[] x, int off, int stride, int n) {
        if (stride != 1) {
            return REF.sum(x, off, stride, n);
        }
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (int bound = D.loopBound(n); i < bound; i += D.length()) {
            acc = acc.add(DoubleVector.fromArray(D, x, off + i));
        }
        return laneSum(acc) + REF.sum(x, off + i, 1, n - i);
    }

    @Override
    public double max(double[] x, int off, int stride, int n) {
        if (stride != 1) {
            return REF.max(x, off, stride, n);
        }
        DoubleVector acc = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = D.loopBound(n); i < bound; i += D.length()) {
            acc = acc.max(DoubleVector.fromArray(D, x, off + i));
        }
        return Math.max(acc.reduceLanes(VectorOperators.MAX), REF.max(x, off + i, 1, n - i));
    }

    @Override
    public void gemm(int m, int n, int k, double[] a, int aOff, int aRowStride, int aColStride,
                     double[] b, int bOff, int bRowStride, int bColStride,
                     double[] c, int cOff, int ldc, boolean accumulate) {
        DoubleGemm.gemm(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride,
                c, cOff, ldc, accumulate);
    }

    // The optimizer steps: lanewise add, mul, div and sqrt round exactly as the scalar reference
    // does, so these give its bits; the loop-invariant tests are unswitched by the JIT.

    @Override
    public void sgd(SgdStep s, float[] p, float[] g, float[] b, float[] bOut, float[] out, int n) {
        inParts(n, F.length(), (from, to) -> sgdRange(s, p, g, b, bOut, out, from, to));
    }

    private static void sgdRange(SgdStep s, float[] p, float[] g, float[] b, float[] bOut, float[] out, int from,
                                 int to) {
        boolean decay = s.weightDecay() != 0, momentum = s.momentum() != 0, first = b == null, nesterov = s.nesterov();
        float lambda = (float) s.weightDecay(), mu = (float) s.momentum(), keep = (float) s.keep();
        float step = (float) s.scale();
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
            FloatVector pv = FloatVector.fromArray(F, p, i);
            FloatVector u = FloatVector.fromArray(F, g, i);
            if (decay) {
                u = u.add(pv.mul(lambda));
            }
            FloatVector d = u;
            if (momentum) {
                FloatVector bn = first ? u : FloatVector.fromArray(F, b, i).mul(mu).add(u.mul(keep));
                bn.intoArray(bOut, i);
                d = nesterov ? u.add(bn.mul(mu)) : bn;
            }
            pv.add(d.mul(step)).intoArray(out, i);
        }
        ScalarKernels.sgd(s, p, g, b, bOut, out, i, to);
    }

    @Override
    public void sgd(SgdStep s, double[] p, double[] g, double[] b, double[] bOut, double[] out, int n) {
        inParts(n, D.length(), (from, to) -> sgdRange(s, p, g, b, bOut, out, from, to));
    }

    private static void sgdRange(SgdStep s, double[] p, double[] g, double[] b, double[] bOut, double[] out,
                                 int from, int to) {
        boolean decay = s.weightDecay() != 0, momentum = s.momentum() != 0, first = b == null, nesterov = s.nesterov();
        double lambda = s.weightDecay(), mu = s.momentum(), keep = s.keep(), step = s.scale();
        int i = from;
        for (int bound = from + D.loopBound(to - from); i < bound; i += D.length()) {
            DoubleVector pv = DoubleVector.fromArray(D, p, i);
            DoubleVector u = DoubleVector.fromArray(D, g, i);
            if (decay) {
                u = u.add(pv.mul(lambda));
            }
            DoubleVector d = u;
            if (momentum) {
                DoubleVector bn = first ? u : DoubleVector.fromArray(D, b, i).mul(mu).add(u.mul(keep));
                bn.intoArray(bOut, i);
                d = nesterov ? u.add(bn.mul(mu)) : bn;
            }
            pv.add(d.mul(step)).intoArray(out, i);
        }
        ScalarKernels.sgd(s, p, g, b, bOut, out, i, to);
    }

    @Override
    public void adam(AdamStep s, float[] p, float[] g, float[] m, float[] v, float[] mOut, float[] vOut, float[] out, int n) {
        inParts(n, F.length(), (from, to) -> adamRange(s, p, g, m, v, mOut, vOut, out, from, to));
    }

    private static void adamRange(AdamStep s, float[] p, float[] g, float[] m, float[] v, float[] mOut, float[] vOut,
                                  float[] out, int from, int to) {
        boolean decay = s.weightDecay() != 0, decoupled = s.decoupledDecay() != 0;
        float lambda = (float) s.weightDecay(), lambdaD = (float) s.decoupledDecay();
        float b1 = (float) s.beta1(), k1 = (float) s.keep1(), b2 = (float) s.beta2(), k2 = (float) s.keep2();
        float c1 = (float) s.inverseFirstCorrection(), c2 = (float) s.inverseSecondCorrection(), eps = (float) s.eps();
        float step = (float) s.scale();
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += F.length()) {
            FloatVector pv = FloatVector.fromArray(F, p, i);
            FloatVector u = FloatVector.fromArray(F, g, i);
            if (decay) {
                u = u.add(pv.mul(lambda));
            }
            FloatVector mn = FloatVector.fromArray(F, m, i).mul(b1).add(u.mul(k1));
            FloatVector vn = FloatVector.fromArray(F, v, i).mul(b2).add(u.mul(u).mul(k2));
            mn.intoArray(mOut, i);
            vn.intoArray(vOut, i);
            FloatVector d = mn.mul(c1).div(vn.sqrt().mul(c2).add(eps));
            if (decoupled) {
                d = d.add(pv.mul(lambdaD));
            }
            pv.add(d.mul(step)).intoArray(out, i);
        }
        ScalarKernels.adam(s, p, g, m, v, mOut, vOut, out, i, to);
    }

    @Override
    public void adam(AdamStep s, double[] p, double[] g, double[] m, double[] v, double[] mOut, double[] vOut, double[] out, int n) {
        inParts(n, D.length(), (from, to) -> adamRange(s, p, g, m, v, mOut, vOut, out, from, to));
    }

    private static void adamRange(AdamStep s, double[] p, double[] g, double[] m, double[] v, double[] mOut,
                                  double[] vOut, double[] out, int from, int to) {
        boolean decay = s.weightDecay() != 0, decoupled = s.decoupledDecay() != 0;
        double lambda = s.weightDecay(), lambdaD = s.decoupledDecay();
        double b1 = s.beta1(), k1 = s.keep1(), b2 = s.beta2(), k2 = s.keep2();
        double c1 = s.inverseFirstCorrection(), c2 = s.inverseSecondCorrection(), eps = s.eps(), step = s.scale();
        int i = from;
        for (int bound = from + D.loopBound(to - from); i < bound; i += D.length()) {
            DoubleVector pv = DoubleVector.fromArray(D, p, i);
            DoubleVector u = DoubleVector.fromArray(D, g, i);
            if (decay) {
                u = u.add(pv.mul(lambda));
            }
            DoubleVector mn = DoubleVector.fromArray(D, m, i).mul(b1).add(u.mul(k1));
            DoubleVector vn = DoubleVector.fromArray(D, v, i).mul(b2).add(u.mul(u).mul(k2));
            mn.intoArray(mOut, i);
            vn.intoArray(vOut, i);
            DoubleVector d = mn.mul(c1).div(vn.sqrt().mul(c2).add(eps));
            if (decoupled) {
                d = d.add(pv.mul(lambdaD));
            }
            pv.add(d.mul(step)).intoArray(out, i);
        }
        ScalarKernels.adam(s, p, g, m, v, mOut, vOut, out, i, to);
    }

    /** Below this many elements an optimizer step runs on the calling thread alone. */
    private static final int MIN_PARALLEL_STEP = 1 << 16;

    private interface Range {
        void run(int from, int to);
    }

    /**
     * Runs body on [0, n) split into equal runs, one per thread, each starting at a multiple of
     * the vector length: elementwise, so the split changes nothing but the time.
     */
    private static void inParts(int n, int lanes, Range body) {
        int parts = n < MIN_PARALLEL_STEP ? 1 : Math.min(Parallel.threads(), n / (MIN_PARALLEL_STEP / 2));
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        long blocks = n / lanes;
        Parallel.run(parts, t -> body.run((int) (blocks * t / parts) * lanes,
                t == parts - 1 ? n : (int) (blocks * (t + 1) / parts) * lanes));
    }
}
