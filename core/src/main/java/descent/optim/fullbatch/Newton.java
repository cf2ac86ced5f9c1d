package descent.optim.fullbatch;

import descent.autograd.Tensor;
import descent.optim.Closure;
import descent.optim.Minimizer;
import descent.optim.Objective;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Newton's method with the exact Hessian H from double backward: θ ← θ + α·d with
 * <ul>
 *   <li>{@link Variant#PLAIN}: H d = −g, solved by LU (H may be indefinite: plain Newton is
 *       attracted to saddle points, as the notes warn);
 *   <li>{@link Variant#DAMPED}: (H + λI) d = −g by Cholesky with Levenberg-Marquardt's adaptive
 *       λ: multiplied by 10 until H + λI is positive definite and the step lowers the loss, divided
 *       by 10 after each success;
 *   <li>{@link Variant#SADDLE_FREE}: d = −|H|⁻¹g with |H| = V|Λ|Vᵀ from the eigendecomposition,
 *       eigenvalues floored at λ (Dauphin et al., 2014), so negative curvature repels.
 * </ul>
 * The Hessian costs one backward pass per parameter and n² memory: above {@code maxParameters}
 * the method refuses with a clear error (use {@link NewtonCg}).
 */
public final class Newton implements Minimizer {

    public enum Variant {
        PLAIN, DAMPED, SADDLE_FREE
    }

    private final Map<String, Tensor> params;
    private final List<Tensor> list;
    private final FlatParameters flat;
    private final Variant variant;
    private final double alpha;
    private double damping;
    private long iterations;

    Newton(Map<String, Tensor> params, Variant variant, double alpha, double damping, int maxParameters) {
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.list = new ArrayList<>(params.values());
        this.flat = new FlatParameters(params);
        if (flat.size() > maxParameters) {
            throw new IllegalArgumentException("Newton's method forms the " + flat.size() + "×" + flat.size()
                    + " Hessian, above the limit of " + maxParameters + " parameters; use newton-cg or raise the limit");
        }
        if (!(alpha > 0) || !(damping >= 0)) {
            throw new IllegalArgumentException("newton: needs step size α > 0 and damping λ >= 0");
        }
        this.variant = variant;
        this.alpha = alpha;
        this.damping = damping;
    }

    @Override
    public double step(Closure closure) {
        if (!(closure instanceof Objective.WithObjective wo)) {
            throw new IllegalArgumentException("Newton's method differentiates twice: pass Objective.closure(params, objective)");
        }
        int n = flat.size();
        double f = closure.evaluate();
        double[] g = flat.grads();
        double[] x = flat.values();
        double[] h = Curvature.hessian(wo.objective(), list, n);
        double[] d = switch (variant) {
            case PLAIN -> negate(Dense.solve(h, n, g));
            case SADDLE_FREE -> saddleFree(h, n, g);
            case DAMPED -> null;
        };
        if (variant == Variant.DAMPED) {
            dampedStep(closure, h, n, g, x, f);
        } else {
            flat.set(FlatParameters.axpy(alpha, d, x));
        }
        iterations++;
        return f;
    }

    private void dampedStep(Closure closure, double[] h, int n, double[] g, double[] x, double f) {
        double lambda = Math.max(damping, 1e-12);
        for (int attempt = 0; attempt < 60; attempt++, lambda *= 10) {
            double[] shifted = h.clone();
            for (int i = 0; i < n; i++) {
                shifted[i * n + i] += lambda;
            }
            double[] l = Dense.cholesky(shifted, n);
            if (l == null) {
                continue;
            }
            double[] next = FlatParameters.axpy(-alpha, Dense.solveCholesky(l, n, g), x);
            flat.set(next);
            if (closure.evaluate() < f) {
                damping = lambda / 10;
                return;
            }
        }
        flat.set(x); // no damping lowered the loss: stay (at a minimum, or stalled)
    }

    private double[] saddleFree(double[] h, int n, double[] g) {
        Dense.Eigen e = Dense.symmetricEigen(h, n);
        double floor = Math.max(damping, 1e-12);
        double[] d = new double[n];
        for (int k = 0; k < n; k++) {
            double proj = 0;
            for (int i = 0; i < n; i++) {
                proj += e.vectors()[i * n + k] * g[i];
            }
            double scale = -proj / Math.max(Math.abs(e.values()[k]), floor);
            for (int i = 0; i < n; i++) {
                d[i] += scale * e.vectors()[i * n + k];
            }
        }
        return d;
    }

    private static double[] negate(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = -out[i];
        }
        return out;
    }

    /** The current Levenberg-Marquardt λ (the damping, for the other variants). */
    public double damping() {
        return damping;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return params;
    }

    @Override
    public Map<String, NdArray> stateDict() {
        return Map.of("#iterations", NdArray.scalar(DType.FLOAT64, iterations), "damping",
                NdArray.scalar(DType.FLOAT64, damping));
    }

    @Override
    public void loadStateDict(Map<String, NdArray> state) {
        if (!state.containsKey("#iterations") || !state.containsKey("damping") || state.size() != 2) {
            throw new IllegalArgumentException("optimizer state does not fit Newton: expected #iterations and damping, got "
                    + state.keySet());
        }
        iterations = (long) state.get("#iterations").item();
        damping = state.get("damping").item();
    }
}
