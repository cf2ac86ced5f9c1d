package descent.optim.fullbatch;

import descent.autograd.Tensor;
import descent.optim.Closure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Coordinate descent: each step moves one block of coordinates, all others held fixed, along
 * the block's negative gradient with a line search (exact by default, so a block of one
 * coordinate is minimized along its axis). Blocks are either every scalar coordinate
 * ({@link #coordinates}) or named groups of parameters ({@link #blocks}, block coordinate
 * descent); they are visited in cyclic order or in a seeded random order, a fresh permutation
 * per sweep. For blocks with a closed-form or proximal update, see {@link BlockUpdate}.
 */
public final class CoordinateDescent extends FullBatchMinimizer {

    /** Replaces the line search for one block with an update of its own, e.g. a least-squares solve. */
    @FunctionalInterface
    public interface BlockUpdate {
        void update(Map<String, Tensor> block);
    }

    private final List<int[]> blocks;
    private final List<String> blockNames;
    private final Map<String, BlockUpdate> custom;
    private final Map<String, Map<String, Tensor>> blockParams;
    private final boolean random;
    private final long seed;
    private int[] order;
    private int position;
    /** Sweeps begun: the random order of sweep k derives from (seed, k), so a resumed run draws the same. */
    private long sweeps;
    /** Blocks moved in the sweep in progress, and whether the last full sweep moved none. */
    private int movedThisSweep;
    private boolean sweepStalled;

    private CoordinateDescent(Map<String, Tensor> params, List<String> names, List<int[]> blocks,
                              Map<String, Map<String, Tensor>> blockParams, Map<String, BlockUpdate> custom,
                              boolean random, long seed, LineSearch lineSearch) {
        super(params, lineSearch);
        this.blocks = blocks;
        this.blockNames = names;
        this.blockParams = blockParams;
        this.custom = custom;
        this.random = random;
        this.seed = seed;
    }

    /** One block per scalar coordinate of the parameters. */
    static CoordinateDescent coordinates(Map<String, Tensor> params, boolean random, long seed, LineSearch lineSearch) {
        List<int[]> blocks = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int at = 0;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            for (int i = 0; i < e.getValue().size(); i++) {
                blocks.add(new int[] {at + i});
                names.add(e.getKey() + "[" + i + "]");
            }
            at += e.getValue().size();
        }
        return new CoordinateDescent(params, names, blocks, Map.of(), Map.of(), random, seed, lineSearch);
    }

    /**
     * Named blocks of parameters (each parameter in exactly one block); blocks listed in
     * {@code updates} use their own update instead of the line search.
     */
    static CoordinateDescent blocks(Map<String, Tensor> params, Map<String, List<String>> blocks,
                                    Map<String, BlockUpdate> updates, boolean random, long seed,
                                    LineSearch lineSearch) {
        Map<String, Integer> offsets = new LinkedHashMap<>();
        int at = 0;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            offsets.put(e.getKey(), at);
            at += e.getValue().size();
        }
        List<int[]> index = new ArrayList<>();
        Map<String, Map<String, Tensor>> members = new LinkedHashMap<>();
        List<String> seen = new ArrayList<>();
        for (Map.Entry<String, List<String>> b : blocks.entrySet()) {
            List<Integer> coords = new ArrayList<>();
            Map<String, Tensor> m = new LinkedHashMap<>();
            for (String p : b.getValue()) {
                if (!params.containsKey(p) || seen.contains(p)) {
                    throw new IllegalArgumentException("block '" + b.getKey() + "': parameter '" + p
                            + (params.containsKey(p) ? "' is in two blocks" : "' does not exist"));
                }
                seen.add(p);
                m.put(p, params.get(p));
                for (int i = 0; i < params.get(p).size(); i++) {
                    coords.add(offsets.get(p) + i);
                }
            }
            index.add(coords.stream().mapToInt(Integer::intValue).toArray());
            members.put(b.getKey(), m);
        }
        if (seen.size() != params.size()) {
            throw new IllegalArgumentException("every parameter must be in a block; missing: "
                    + params.keySet().stream().filter(p -> !seen.contains(p)).toList());
        }
        return new CoordinateDescent(params, new ArrayList<>(blocks.keySet()), index, members, updates, random, seed,
                lineSearch);
    }

    /** Moves one block; returns the loss before the move. */
    @Override
    public double step(Closure closure) {
        double loss = start(closure);
        if (order == null || position == order.length) {
            if (order != null) {
                sweepStalled = movedThisSweep == 0;
            }
            order = nextOrder();
            position = 0;
            movedThisSweep = 0;
        }
        int b = order[position++];
        String name = blockNames.get(b);
        BlockUpdate update = custom.get(name);
        if (update != null) {
            flat.set(x);
            update.update(Collections.unmodifiableMap(blockParams.get(name)));
            x = flat.values();
            f = flat.evaluate(closure, x, g);
            movedThisSweep++;
        } else {
            double[] d = new double[x.length];
            for (int i : blocks.get(b)) {
                d[i] = -g[i];
            }
            stalled = false; // a block that cannot move stalls only itself; a whole sweep stalls the method
            if (moveAlong(closure, d, 1) != 0) {
                movedThisSweep++;
            }
            stalled = false;
        }
        iterations++;
        return loss;
    }

    private int[] nextOrder() {
        int[] o = new int[blocks.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = i;
        }
        sweeps++;
        if (random) {
            SplittableRandom rng = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * sweeps);
            for (int i = o.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = o[i];
                o[i] = o[j];
                o[j] = t;
            }
        }
        return o;
    }

    /**
     * Whether the last full sweep moved no block: every coordinate's line search failed or its
     * gradient was zero, so further steps change nothing (a stationary point, or a direction the
     * search cannot improve).
     */
    @Override
    public boolean stalled() {
        return sweepStalled;
    }

    /** The name of the block the next step will move. */
    public String nextBlock() {
        return order == null || position == order.length ? (random ? "(next sweep)" : blockNames.getFirst())
                : blockNames.get(order[position]);
    }

    @Override
    Map<String, double[]> vectors() {
        Map<String, double[]> v = new LinkedHashMap<>();
        if (order != null) {
            double[] o = new double[order.length];
            for (int i = 0; i < o.length; i++) {
                o[i] = order[i];
            }
            v.put("order", o);
        }
        v.put("position", new double[] {position});
        v.put("sweeps", new double[] {sweeps, movedThisSweep, sweepStalled ? 1 : 0});
        return v;
    }

    @Override
    void restore(Map<String, double[]> v) {
        double[] o = v.get("order");
        if (o != null) {
            order = new int[o.length];
            for (int i = 0; i < o.length; i++) {
                order[i] = (int) o[i];
            }
        }
        position = (int) v.get("position")[0];
        double[] s = v.get("sweeps");
        if (s != null) { // state saved before sweeps were recorded: the order restarts from the seed
            sweeps = (long) s[0];
            movedThisSweep = (int) s[1];
            sweepStalled = s[2] != 0;
        }
    }
}
