package descent.optim.fullbatch;

import descent.autograd.Tensor;
import descent.optim.Closure;
import descent.optim.Minimizer;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared machinery of full-batch methods on the parameters as one vector: the current point,
 * loss and gradient, line searches along a direction, and state dicts of named vectors. A
 * step is one iteration, one accepted point; once the gradient vanishes or no step along the
 * chosen direction decreases the loss, steps leave the parameters where they are.
 */
abstract class FullBatchMinimizer implements Minimizer {

    private static final String ITERATIONS = "#iterations";

    final Map<String, Tensor> params;
    final FlatParameters flat;
    final LineSearch lineSearch;
    double[] x;
    double[] g;
    double f;
    long iterations;
    boolean stalled;

    FullBatchMinimizer(Map<String, Tensor> params, LineSearch lineSearch) {
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.flat = new FlatParameters(params);
        this.lineSearch = lineSearch;
    }

    /** Evaluates at the current parameters if this is the first step; returns the loss there. */
    final double start(Closure closure) {
        if (x == null) {
            x = flat.values();
            g = new double[x.length];
            f = flat.evaluate(closure, x, g);
        }
        return f;
    }

    /**
     * Moves along d by a line search from {@code initial}; updates x, f and g and writes the
     * point into the parameters. Returns the step length, or 0 (and marks the method stalled)
     * if d is not a descent direction or the search fails.
     */
    final double moveAlong(Closure closure, double[] d, double initial) {
        double slope0 = FlatParameters.dot(g, d);
        if (!(slope0 < 0)) {
            stalled = true;
            flat.set(x);
            return 0;
        }
        double[] gAt = new double[x.length];
        double[][] xAt = new double[1][];
        double[] fAt = new double[1];
        LineSearch.Phi phi = new LineSearch.Phi() {
            @Override
            public double value(double alpha) {
                xAt[0] = FlatParameters.axpy(alpha, d, x);
                fAt[0] = flat.evaluate(closure, xAt[0], gAt);
                return fAt[0];
            }

            @Override
            public double slope() {
                return FlatParameters.dot(gAt, d);
            }
        };
        double alpha;
        try {
            alpha = lineSearch.search(phi, f, slope0, initial);
        } catch (LineSearch.Failed e) {
            stalled = true;
            flat.set(x);
            return 0;
        }
        if (!(fAt[0] <= f) || !Double.isFinite(fAt[0])) {
            stalled = true;
            flat.set(x);
            return 0;
        }
        x = xAt[0];
        f = fAt[0];
        g = gAt;
        return alpha;
    }

    /** The change of a quasi-Newton step: s = x' − x and y = g' − g. */
    record Secant(double[] s, double[] y) {}

    /**
     * A quasi-Newton iteration's move: along d from α = 1 (from a step of length at most 1 on the
     * first iteration, when d is the raw gradient scale); the secant pair, or null if it stalled.
     */
    final Secant quasiNewtonMove(Closure closure, double[] d) {
        double[] xOld = x;
        double[] gOld = g;
        double initial = iterations == 0 ? Math.min(1, 1 / Math.sqrt(FlatParameters.dot(g, g))) : 1;
        if (moveAlong(closure, d, initial) == 0) {
            return null;
        }
        iterations++;
        return new Secant(FlatParameters.axpy(-1, xOld, x), FlatParameters.axpy(-1, gOld, g));
    }

    /** Whether the method can make no further progress (zero gradient or failed search). */
    @Override
    public boolean stalled() {
        return stalled;
    }

    /** The gradient norm at the current point. */
    public double gradientNorm() {
        return g == null ? Double.NaN : Math.sqrt(FlatParameters.dot(g, g));
    }

    public long iterations() {
        return iterations;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return params;
    }

    /** The method's own vectors and scalars, by name, for the state dict. */
    abstract Map<String, double[]> vectors();

    /** Restores the method's own vectors (sizes already checked). */
    abstract void restore(Map<String, double[]> vectors);

    @Override
    public Map<String, NdArray> stateDict() {
        Map<String, NdArray> out = new LinkedHashMap<>();
        out.put(ITERATIONS, NdArray.scalar(DType.FLOAT64, iterations));
        if (x != null) {
            out.put("x", NdArray.of(x, x.length));
            out.put("g", NdArray.of(g, g.length));
            out.put("f", NdArray.scalar(DType.FLOAT64, f));
            vectors().forEach((k, v) -> out.put(k, NdArray.of(v, v.length)));
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<String, NdArray> state) {
        if (!state.containsKey(ITERATIONS)) {
            throw new IllegalArgumentException("optimizer state does not fit: missing " + ITERATIONS);
        }
        Map<String, double[]> vectors = new LinkedHashMap<>();
        for (Map.Entry<String, NdArray> e : state.entrySet()) {
            String k = e.getKey();
            if (k.equals(ITERATIONS) || k.equals("f")) {
                continue;
            }
            double[] v = e.getValue().toDoubleArray();
            if (List.of("x", "g").contains(k) && v.length != flat.size()) {
                throw new IllegalArgumentException("optimizer state does not fit: " + k + " has " + v.length
                        + " entries, the parameters " + flat.size());
            }
            vectors.put(k, v);
        }
        if (state.containsKey("x") && !(state.containsKey("g") && state.containsKey("f"))) {
            throw new IllegalArgumentException("optimizer state does not fit: x without g and f");
        }
        iterations = (long) state.get(ITERATIONS).item();
        if (state.containsKey("x")) {
            x = vectors.remove("x");
            g = vectors.remove("g");
            f = state.get("f").item();
            try {
                restore(vectors);
            } catch (NullPointerException | IndexOutOfBoundsException e) {
                // restore reads the vectors its stateDict wrote: one is missing, or too short
                throw new IllegalArgumentException("optimizer state does not fit: the saved vectors " + vectors.keySet()
                        + " are not those this method writes", e);
            }
        }
    }
}
