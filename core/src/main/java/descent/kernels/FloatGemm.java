package descent.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM: {@code C (+)= A·B}, cache-blocked and register-tiled on the preferred
 * species, parallel over {@link Parallel}'s workers.
 *
 * <p>Shape of the computation, after Goto and van de Geijn's "Anatomy of high-performance matrix
 * multiplication" (2008) and BLIS's loop order: a KC×NC block of B is packed into panels NR columns
 * wide; A is read where it lies when its rows are contiguous (and not 4 KB apart), else a block of
 * MC rows is packed beside it; each B panel then stays in L1 while the A slivers of MR rows stream
 * past it from L2. The micro-kernel keeps an MR×NR tile of C in 2·MR vector registers (6×16 on
 * AVX2, using 15 of the 16 registers; 6×32 on AVX-512) and performs 2·MR FMAs per two vector loads.
 * Edge tiles are computed whole into a scratch tile, of which only the real rows and columns are
 * moved into C. The first block of k stores its tiles instead of adding them, so C is never zeroed
 * beforehand and a fresh C (a weight gradient larger than L2) is not read from memory only to be
 * overwritten.
 *
 * <p>Work is shared out in chunks of column panels taken in turn, or split into equal runs of column
 * panels or of row slivers, whichever leaves less packing; each C element is computed by one thread
 * in a fixed order, so results do not depend on timing or on the number of threads.
 */
final class FloatGemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int MR = 6;
    static final int NR = 2 * L;
    private static final int KC = 256;
    private static final int NC = 32 * NR;
    /** Rows of A packed at a time: MC×KC floats (120 KB) stay in L2. */
    private static final int MC = 20 * MR;
    /** Row chunks per thread when A is packed on the shared path: a late thread just takes fewer. */
    private static final int CHUNKS_PER_THREAD = 8;
    /** The largest A (in floats, 16 MB) that the shared path packs whole. */
    private static final long SHARED_A_LIMIT = 1L << 22;
    /** Below this many multiply-adds a second thread costs more than it saves. */
    private static final long MIN_WORK_PER_THREAD = 1L << 18;

    /** Per-thread buffers, allocated once: packed B and A blocks and the scratch tile for edges. */
    private record Workspace(float[] packedB, float[] packedA, float[] scratch) {}

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(
            () -> new Workspace(new float[KC * NC], new float[KC * MC], new float[MR * NR]));

    /** The calling thread's buffer for all of A, packed, on the shared path (grown as needed). */
    private static final ThreadLocal<float[]> SHARED_A = ThreadLocal.withInitial(() -> new float[0]);

    private FloatGemm() {}

    static void gemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs,
                     float[] b, int bOff, int bRs, int bCs,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        int colPanels = (n + NR - 1) / NR;
        int rowSlivers = (m + MR - 1) / MR;
        long work = (long) m * n * k;
        int parts = (int) Math.max(1, Math.min(Parallel.threads(), work / MIN_WORK_PER_THREAD));
        if (parts > 1 && colPanels >= 2 * parts && (long) m * k <= SHARED_A_LIMIT) {
            sharedColumns(parts, m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
            return;
        }
        boolean splitColumns = splitColumns(m, n, parts, aCs != 1, bCs != 1, colPanels, rowSlivers);
        parts = Math.min(parts, splitColumns ? colPanels : rowSlivers);
        final int p = parts;
        Parallel.run(p, t -> {
            if (splitColumns) {
                int j0 = Math.min(n, colPanels * t / p * NR);
                int j1 = Math.min(n, colPanels * (t + 1) / p * NR);
                block(0, m, j0, j1, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate, null);
            } else {
                int i0 = Math.min(m, rowSlivers * t / p * MR);
                int i1 = Math.min(m, rowSlivers * (t + 1) / p * MR);
                block(i0, i1, 0, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate, null);
            }
        });
    }

    /**
     * The parallel path for C wide enough to cut into several column chunks per thread. Unless it
     * can be read in place, all of A is packed once, by the threads taking chunks of its rows in
     * turn; then they take chunks of column panels in turn, each packing its own B panels and reading
     * the shared A. A thread that starts late or is interrupted simply takes fewer chunks, and nothing
     * is packed twice. Which thread computes a tile does not change its arithmetic, so the result is
     * the same for any schedule.
     */
    private static void sharedColumns(int parts, int m, int n, int k, float[] a, int aOff, int aRs, int aCs,
                                      float[] b, int bOff, int bRs, int bCs,
                                      float[] c, int cOff, int ldc, boolean accumulate) {
        if (readInPlace(aRs, aCs)) {
            sharedColumnChunks(parts, m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate, null);
            return;
        }
        float[] packedA = SHARED_A.get();
        if (packedA.length < m * k) {
            packedA = new float[m * k];
            SHARED_A.set(packedA);
        }
        final float[] ap = packedA;
        int rowSlivers = (m + MR - 1) / MR;
        int sliversPerChunk = Math.max(1, rowSlivers / (parts * CHUNKS_PER_THREAD));
        int rowChunks = (rowSlivers + sliversPerChunk - 1) / sliversPerChunk;
        AtomicInteger nextRows = new AtomicInteger();
        Parallel.run(parts, t -> {
            for (int chunk = nextRows.getAndIncrement(); chunk < rowChunks; chunk = nextRows.getAndIncrement()) {
                int r0 = chunk * sliversPerChunk * MR;
                int r1 = Math.min(m, r0 + sliversPerChunk * MR);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    packA(a, aOff + r0 * aRs + pc * aCs, aRs, aCs, r1 - r0, kc, ap, m * pc + r0 * kc);
                }
            }
        });
        sharedColumnChunks(parts, m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate, ap);
    }

    /** The threads take chunks of column panels in turn, over all rows, until none is left. */
    private static void sharedColumnChunks(int parts, int m, int n, int k, float[] a, int aOff, int aRs, int aCs,
                                           float[] b, int bOff, int bRs, int bCs,
                                           float[] c, int cOff, int ldc, boolean accumulate, float[] ap) {
        int colPanels = (n + NR - 1) / NR;
        AtomicInteger nextPanel = new AtomicInteger();
        Parallel.run(parts, t -> {
            while (true) {
                // Guided sizes: a share of what is left, so the last chunks are single panels and
                // the thread that finishes first waits for little.
                int first = nextPanel.get();
                int count = Math.max(1, (colPanels - first) / (2 * parts));
                if (first >= colPanels) {
                    return;
                }
                if (nextPanel.compareAndSet(first, first + count)) {
                    int j1 = Math.min(n, (first + count) * NR);
                    block(0, m, first * NR, j1, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate, ap);
                }
            }
        });
    }

    /**
     * Whether the micro-kernel can read A where it lies: rows contiguous and not a multiple of 512
     * floats apart, since rows 4 KB apart (or a multiple) fall into one L1 set and evict each other.
     */
    private static boolean readInPlace(int aRs, int aCs) {
        return aCs == 1 && aRs % 512 != 0;
    }

    /**
     * Whether to give each thread a run of columns rather than of rows. Every thread packs the whole
     * of the operand that is not split: k·(n/p + m) floats for columns against k·(n + m/p) for rows,
     * so columns win when B is the larger operand. A transposed operand, packed by strided reads,
     * counts three times its size (as measured on the training shapes).
     */
    private static boolean splitColumns(int m, int n, int parts, boolean aStrided, boolean bStrided,
                                        int colPanels, int rowSlivers) {
        if (colPanels < parts || rowSlivers < parts) {
            return colPanels >= rowSlivers;
        }
        return (bStrided ? 3L : 1L) * n >= (aStrided ? 3L : 1L) * m;
    }

    /**
     * Computes rows [i0, i1) and columns [j0, j1) of C. A is read in place when it can be, else
     * packed here block by block, unless {@code sharedA} holds all of it packed already (then
     * i0 = 0 and i1 = m).
     */
    private static void block(int i0, int i1, int j0, int j1, int k, float[] a, int aOff, int aRs, int aCs,
                              float[] b, int bOff, int bRs, int bCs,
                              float[] c, int cOff, int ldc, boolean accumulate, float[] sharedA) {
        Workspace ws = WORKSPACE.get();
        float[] bp = ws.packedB();
        boolean inPlace = sharedA == null && readInPlace(aRs, aCs);
        float[] ap = sharedA != null ? sharedA : inPlace ? a : ws.packedA();
        float[] scratch = ws.scratch();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                // The first block of k stores into C, so C is neither zeroed first nor read cold.
                boolean add = accumulate || pc > 0;
                packB(b, bOff + pc * bRs + jc * bCs, bRs, bCs, kc, nc, bp);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    int aBase = i1 * pc + ic * kc;
                    int aStride = kc;
                    if (inPlace) {
                        aBase = aOff + ic * aRs + pc;
                        aStride = aRs;
                    } else if (sharedA == null) {
                        packA(a, aOff + ic * aRs + pc * aCs, aRs, aCs, mc, kc, ap, 0);
                        aBase = 0;
                    }
                    // One B micro-panel stays in L1 while the packed A slivers stream past it from L2.
                    for (int jp = 0; jp < nc; jp += NR) {
                        int w = Math.min(NR, nc - jp);
                        for (int i = 0; i < mc; i += MR) {
                            tile(kc, ap, aBase + i * aStride, aStride, Math.min(MR, mc - i), bp, jp * kc,
                                    c, cOff + (ic + i) * ldc + jc + jp, ldc, w, scratch, add);
                        }
                    }
                }
            }
        }
    }

    /** Packs a kc×nc block of B into panels of NR columns, each kc rows of NR floats, zero-padded. */
    private static void packB(float[] b, int off, int rs, int cs, int kc, int nc, float[] bp) {
        for (int jp = 0; jp < nc; jp += NR) {
            int w = Math.min(NR, nc - jp);
            int panel = jp * kc;
            if (cs == 1 && w == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = off + p * rs + jp;
                    int dst = panel + p * NR;
                    FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                    FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
                }
            } else if (cs == 1) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, off + p * rs + jp, bp, panel + p * NR, w);
                }
            } else {
                packColumns(b, off + jp * cs, rs, cs, kc, w, bp, panel);
            }
            if (w < NR) {
                for (int p = 0; p < kc; p++) {
                    java.util.Arrays.fill(bp, panel + p * NR + w, panel + (p + 1) * NR, 0f);
                }
            }
        }
    }

    /**
     * One panel of B from w columns that are contiguous (B a transposed view): each column read
     * along p, in order. A method of its own, so that the JIT compiles this loop for itself.
     */
    private static void packColumns(float[] b, int off, int rs, int cs, int kc, int w, float[] bp, int panel) {
        int p0 = 0;
        if (rs == 1 && L == 8 && w == NR) {
            // Blocks of 8×8 transposed in registers: whole-vector reads of 8 columns, then 3 rounds of
            // two-vector shuffles, instead of one element at a time.
            for (; p0 + 8 <= kc; p0 += 8) {
                transpose8(b, off + p0, cs, bp, panel + p0 * NR, NR);
                transpose8(b, off + 8 * cs + p0, cs, bp, panel + p0 * NR + 8, NR);
            }
        }
        for (int j = 0; j < w; j++) {
            int src = off + j * cs;
            int dst = panel + j;
            for (int p = p0; p < kc; p++) {
                bp[dst + p * NR] = b[src + p * rs];
            }
        }
    }

    // Two-vector shuffles of 8-lane vectors (index i ≥ 8 takes lane i − 8 of the second vector):
    // interleaving single lanes, then pairs, then halves transposes an 8×8 block.
    private static final VectorShuffle<Float> LANES_LO = shuffle(0, 8, 1, 9, 4, 12, 5, 13);
    private static final VectorShuffle<Float> LANES_HI = shuffle(2, 10, 3, 11, 6, 14, 7, 15);
    private static final VectorShuffle<Float> PAIRS_LO = shuffle(0, 1, 8, 9, 4, 5, 12, 13);
    private static final VectorShuffle<Float> PAIRS_HI = shuffle(2, 3, 10, 11, 6, 7, 14, 15);
    private static final VectorShuffle<Float> HALVES_LO = shuffle(0, 1, 2, 3, 8, 9, 10, 11);
    private static final VectorShuffle<Float> HALVES_HI = shuffle(4, 5, 6, 7, 12, 13, 14, 15);

    private static VectorShuffle<Float> shuffle(int... lanes) {
        if (L != 8) {
            return null; // used only with 8 lanes
        }
        int[] wrapped = new int[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            wrapped[i] = lanes[i] < 8 ? lanes[i] : lanes[i] - 16; // exceptional index: the second vector
        }
        return VectorShuffle.fromValues(S, wrapped);
    }

    /** Writes the transpose of the 8×8 block at b[src + j·cs + p] into bp[dst + p·ds + j]. */
    private static void transpose8(float[] b, int src, int cs, float[] bp, int dst, int ds) {
        FloatVector r0 = FloatVector.fromArray(S, b, src);
        FloatVector r1 = FloatVector.fromArray(S, b, src + cs);
        FloatVector r2 = FloatVector.fromArray(S, b, src + 2 * cs);
        FloatVector r3 = FloatVector.fromArray(S, b, src + 3 * cs);
        FloatVector r4 = FloatVector.fromArray(S, b, src + 4 * cs);
        FloatVector r5 = FloatVector.fromArray(S, b, src + 5 * cs);
        FloatVector r6 = FloatVector.fromArray(S, b, src + 6 * cs);
        FloatVector r7 = FloatVector.fromArray(S, b, src + 7 * cs);
        FloatVector t0 = r0.rearrange(LANES_LO, r1);
        FloatVector t1 = r0.rearrange(LANES_HI, r1);
        FloatVector t2 = r2.rearrange(LANES_LO, r3);
        FloatVector t3 = r2.rearrange(LANES_HI, r3);
        FloatVector t4 = r4.rearrange(LANES_LO, r5);
        FloatVector t5 = r4.rearrange(LANES_HI, r5);
        FloatVector t6 = r6.rearrange(LANES_LO, r7);
        FloatVector t7 = r6.rearrange(LANES_HI, r7);
        FloatVector u0 = t0.rearrange(PAIRS_LO, t2);
        FloatVector u1 = t0.rearrange(PAIRS_HI, t2);
        FloatVector u2 = t1.rearrange(PAIRS_LO, t3);
        FloatVector u3 = t1.rearrange(PAIRS_HI, t3);
        FloatVector u4 = t4.rearrange(PAIRS_LO, t6);
        FloatVector u5 = t4.rearrange(PAIRS_HI, t6);
        FloatVector u6 = t5.rearrange(PAIRS_LO, t7);
        FloatVector u7 = t5.rearrange(PAIRS_HI, t7);
        u0.rearrange(HALVES_LO, u4).intoArray(bp, dst);
        u1.rearrange(HALVES_LO, u5).intoArray(bp, dst + ds);
        u2.rearrange(HALVES_LO, u6).intoArray(bp, dst + 2 * ds);
        u3.rearrange(HALVES_LO, u7).intoArray(bp, dst + 3 * ds);
        u0.rearrange(HALVES_HI, u4).intoArray(bp, dst + 4 * ds);
        u1.rearrange(HALVES_HI, u5).intoArray(bp, dst + 5 * ds);
        u2.rearrange(HALVES_HI, u6).intoArray(bp, dst + 6 * ds);
        u3.rearrange(HALVES_HI, u7).intoArray(bp, dst + 7 * ds);
    }

    /**
     * Copies rows×kc of A into ap from {@code at}, row-major with row stride kc: for A that is
     * transposed, or whose rows would collide in L1 if read in place. A transposed A (a gradient's
     * gᵀ) goes by 8×8 register transposes, as the columns of a transposed B do.
     */
    private static void packA(float[] a, int off, int rs, int cs, int rows, int kc, float[] ap, int at) {
        int r0 = 0;
        if (rs == 1 && L == 8 && kc % 8 == 0) {
            for (; r0 + 8 <= rows; r0 += 8) {
                for (int p0 = 0; p0 < kc; p0 += 8) {
                    transpose8(a, off + r0 + p0 * cs, cs, ap, at + r0 * kc + p0, kc);
                }
            }
        }
        for (int r = r0; r < rows; r++) {
            int src = off + r * rs;
            int dst = at + r * kc;
            if (cs == 1) {
                System.arraycopy(a, src, ap, dst, kc);
            } else {
                for (int p = 0; p < kc; p++) {
                    ap[dst + p] = a[src + p * cs];
                }
            }
        }
    }

    /**
     * One tile of C: {@code C[0:rows, 0:w] (+)= A[0:rows, 0:kc] · Bpanel}, added when {@code add}
     * and stored otherwise. A full tile goes straight into C; an edge tile is computed whole into a
     * scratch tile and its real part moved. Rows of A past {@code rows} repeat the last real row, so
     * A needs no padding.
     */
    private static void tile(int kc, float[] a, int aBase, int aRs, int rows, float[] bp, int bo,
                             float[] c, int co, int ldc, int w, float[] scratch, boolean add) {
        if (rows == MR && w == NR) {
            kernel(kc, a, aBase, aRs, rows, bp, bo, c, co, ldc, add);
            return;
        }
        kernel(kc, a, aBase, aRs, rows, bp, bo, scratch, 0, NR, false);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < w; j++) {
                int at = co + r * ldc + j;
                c[at] = add ? c[at] + scratch[r * NR + j] : scratch[r * NR + j];
            }
        }
    }

    /**
     * The micro-kernel: adds A·B into a full MR×NR tile of C (or stores it, when not {@code add}),
     * kept in 12 vector registers. Everything is written out by hand, with no helper calls or masks
     * (a call the JIT declined to inline would box the accumulators) and no branch but the one after
     * the loop.
     */
    private static void kernel(int kc, float[] a, int aBase, int aRs, int rows, float[] bp, int bo,
                               float[] c, int co, int ldc, boolean add) {
        int r0 = aBase;
        int r1 = aBase + Math.min(1, rows - 1) * aRs;
        int r2 = aBase + Math.min(2, rows - 1) * aRs;
        int r3 = aBase + Math.min(3, rows - 1) * aRs;
        int r4 = aBase + Math.min(4, rows - 1) * aRs;
        int r5 = aBase + Math.min(5, rows - 1) * aRs;
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[r0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[r1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[r2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[r3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[r4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[r5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        int o0 = co, o1 = co + ldc, o2 = co + 2 * ldc, o3 = co + 3 * ldc, o4 = co + 4 * ldc, o5 = co + 5 * ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, o0));
            c01 = c01.add(FloatVector.fromArray(S, c, o0 + L));
            c10 = c10.add(FloatVector.fromArray(S, c, o1));
            c11 = c11.add(FloatVector.fromArray(S, c, o1 + L));
            c20 = c20.add(FloatVector.fromArray(S, c, o2));
            c21 = c21.add(FloatVector.fromArray(S, c, o2 + L));
            c30 = c30.add(FloatVector.fromArray(S, c, o3));
            c31 = c31.add(FloatVector.fromArray(S, c, o3 + L));
            c40 = c40.add(FloatVector.fromArray(S, c, o4));
            c41 = c41.add(FloatVector.fromArray(S, c, o4 + L));
            c50 = c50.add(FloatVector.fromArray(S, c, o5));
            c51 = c51.add(FloatVector.fromArray(S, c, o5 + L));
        }
        c00.intoArray(c, o0);
        c01.intoArray(c, o0 + L);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + L);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + L);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + L);
        c40.intoArray(c, o4);
        c41.intoArray(c, o4 + L);
        c50.intoArray(c, o5);
        c51.intoArray(c, o5 + L);
    }
}
