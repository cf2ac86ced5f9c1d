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
 *   <li>{@link Variant#PLAIN}: H d = −g, solved by LU; where H is singular to working precision,
 *       the minimum-norm step d = −H⁺g (the pseudo-inverse, eigenvalues with |λ| ≤ n·ε·max|λ|
 *       counted as zero, the cutoff of LAPACK's least-squares solvers), which solves the Newton
 *       equations on the range of H and does not move along directions the loss does not curve
 *       in (the symmetries of a network). H may be indefinite: plain Newton is attracted to saddle
 *       points, as the notes warn;
 *   <li>{@link Variant#DAMPED}: (H + λI) d = −g by Cholesky with Levenberg-Marquardt's adaptive
 *       λ: multiplied by 10 until H + λI is positive definite and the step lowers the loss, divided
 *       by 10 after each success;
 *   <li>{@link Variant#SADDLE_FREE}: d = −|H|⁻¹g with |H| = V|Λ|Vᵀ from the eigendecomposition,
 *       eigenvalues floored at λ (Dauphin et al., 2014), so negative curvature repels.
 * </ul>
 *
 * <p>The safeguard ({@link Safeguard#BACKTRACKING}, the default) is Newton's method with a line
 * search (Nocedal &amp; Wright, §3.4): α is halved from its given value until the Armijo condition
 * f(θ + αd) ≤ f(θ) + 10⁻⁴·α·gᵀd holds, and where no step within 60 halvings lowers the loss the
 * parameters stay. A line search needs a descent direction not too far from −g (Zoutendijk's
 * condition, cos∠(d, −g) ≥ {@value #MIN_COSINE}): where H is indefinite and plain Newton's step
 * fails it, the step is −|H|⁺g instead, the eigenvalue modification of H (|H| = V|Λ|Vᵀ), and
 * where that does not descend either (g in the null space of H), −g; {@link #lastStep()} says
 * which was taken. A line search rather than a trust region because it keeps each variant's own
 * direction wherever that direction is a sound one: the full step still lands on a quadratic's
 * minimum in one iteration (however ill-conditioned), plain Newton still heads for a saddle when
 * the saddle lies downhill, as the notes warn, and saddle-free Newton still follows |H|; the
 * safeguard changes how far, and plain Newton's direction only where it would creep along a
 * ridge. The damped variant has its own safeguard, λ. {@link Safeguard#NONE} takes the fixed step
 * α along the unmodified direction: the raw method, which may diverge.
 *
 * <p>The Hessian costs one backward pass per parameter and n² memory: above {@code maxParameters}
 * the method refuses with a clear error (use {@link NewtonCg}).
 */
public final class Newton implements Minimizer {

    public enum Variant {
        PLAIN, DAMPED, SADDLE_FREE
    }

    /** What keeps a step from raising the loss. */
    public enum Safeguard {
        /** Armijo backtracking from α along a descent direction (the damped variant: its λ). */
        BACKTRACKING,
        /** The fixed step α, the raw method, which may diverge. */
        NONE
    }

    /** The direction a step took. */
    public enum Direction {
        /** The variant's own: H⁻¹g (plain), (H + λI)⁻¹g (damped), |H|⁻¹g (saddle-free). */
        NEWTON,
        /** Plain Newton on a singular H: the minimum-norm step −H⁺g. */
        MINIMUM_NORM,
        /** Plain Newton's step pointed uphill: −|H|⁺g instead, H with its eigenvalues made positive. */
        EIGENVALUE_MODIFIED,
        /** Neither the Newton nor the modified step descends (g in the null space of H): −g. */
        STEEPEST_DESCENT
    }

    /** The last step: its direction and the step length taken along it (0: the parameters stayed). */
    public record Step(Direction direction, double alpha) {}

    /**
     * The least cosine between plain Newton's step and −g that the safeguard accepts where H is
     * indefinite: Zoutendijk's condition for a line search to converge (Nocedal &amp; Wright, §3.2).
     */
    static final double MIN_COSINE = 0.1;

    private static final LineSearch BACKTRACK = LineSearch.armijo(1e-4, 0.5, 60);

    private final Map<String, Tensor> params;
    private final List<Tensor> list;
    private final FlatParameters flat;
    private final Variant variant;
    private final double alpha;
    private final Safeguard safeguard;
    private double damping;
    private long iterations;
    private Step lastStep;

    Newton(Map<String, Tensor> params, Variant variant, double alpha, double damping, int maxParameters,
           Safeguard safeguard) {
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
        if (variant == Variant.PLAIN && damping != 0) {
            throw new IllegalArgumentException("plain Newton takes no damping (got λ = " + damping + "): use the damped "
                    + "variant for H + λI, or saddle-free Newton for an eigenvalue floor");
        }
        if (variant == Variant.DAMPED && safeguard == Safeguard.NONE) {
            throw new IllegalArgumentException("damped Newton's safeguard is its Levenberg-Marquardt λ, which grows until "
                    + "a step lowers the loss; it has no unguarded form (use newton or saddle-free-newton for that)");
        }
        this.variant = variant;
        this.alpha = alpha;
        this.damping = damping;
        this.safeguard = safeguard;
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
        if (variant == Variant.DAMPED) {
            lastStep = new Step(Direction.NEWTON, dampedStep(closure, h, n, g, x, f));
        } else {
            Heading d = variant == Variant.PLAIN ? plain(h, n, g) : new Heading(Direction.NEWTON, saddleFree(h, n, g));
            lastStep = new Step(d.direction(), safeguard == Safeguard.NONE ? fixedStep(d.d(), x)
                    : backtrack(closure, d.d(), g, x, f));
        }
        iterations++;
        return f;
    }

    /** A direction and what kind it is. */
    private record Heading(Direction direction, double[] d) {}

    /**
     * Plain Newton's direction; with the safeguard, replaced where H is indefinite and the Newton
     * step is not a descent direction at an angle of at most arccos {@link #MIN_COSINE} to −g.
     */
    private Heading plain(double[] h, int n, double[] g) {
        Dense.Eigen eigen = null;
        Heading d;
        try {
            d = new Heading(Direction.NEWTON, negate(Dense.solve(h, n, g)));
        } catch (ArithmeticException singular) {
            eigen = Dense.symmetricEigen(h, n);
            d = new Heading(Direction.MINIMUM_NORM, pseudoInverseStep(eigen, n, g, false));
        }
        double gg = FlatParameters.dot(g, g);
        double slope = FlatParameters.dot(g, d.d());
        if (safeguard == Safeguard.NONE || gg == 0
                || slope < 0 && -slope >= MIN_COSINE * Math.sqrt(gg * FlatParameters.dot(d.d(), d.d()))) {
            return d;
        }
        eigen = eigen != null ? eigen : Dense.symmetricEigen(h, n);
        if (!indefinite(eigen, n)) {
            // |H| = H: the modification would change nothing; a narrow angle here is H's conditioning, which Newton undoes.
            return slope < 0 ? d : new Heading(Direction.STEEPEST_DESCENT, negate(g));
        }
        d = new Heading(Direction.EIGENVALUE_MODIFIED, pseudoInverseStep(eigen, n, g, true));
        return FlatParameters.dot(g, d.d()) < 0 ? d : new Heading(Direction.STEEPEST_DESCENT, negate(g));
    }

    /** Whether H has an eigenvalue below −n·ε·max|λ|, negative beyond rounding. */
    private static boolean indefinite(Dense.Eigen e, int n) {
        double cutoff = cutoff(e, n);
        for (double v : e.values()) {
            if (v < -cutoff) {
                return true;
            }
        }
        return false;
    }

    /** n·ε·max|λ|: eigenvalues smaller in size are rounding, H's numerical null space. */
    private static double cutoff(Dense.Eigen e, int n) {
        double largest = 0;
        for (double v : e.values()) {
            largest = Math.max(largest, Math.abs(v));
        }
        return n * Math.ulp(1.0) * largest;
    }

    /**
     * −H⁺g (or −|H|⁺g with {@code absolute}) over the eigenpairs with |λ| above n·ε·max|λ|; the rest
     * of the spectrum is H's numerical null space, along which the step does not move.
     */
    private static double[] pseudoInverseStep(Dense.Eigen e, int n, double[] g, boolean absolute) {
        double cutoff = cutoff(e, n);
        double[] d = new double[n];
        for (int k = 0; k < n; k++) {
            double lambda = e.values()[k];
            if (Math.abs(lambda) <= cutoff) {
                continue;
            }
            double proj = 0;
            for (int i = 0; i < n; i++) {
                proj += e.vectors()[i * n + k] * g[i];
            }
            double scale = -proj / (absolute ? Math.abs(lambda) : lambda);
            for (int i = 0; i < n; i++) {
                d[i] += scale * e.vectors()[i * n + k];
            }
        }
        return d;
    }

    /** θ + α·d, unguarded; returns α. */
    private double fixedStep(double[] d, double[] x) {
        flat.set(FlatParameters.axpy(alpha, d, x));
        return alpha;
    }

    /** Armijo backtracking from α along a descent direction d; returns the step taken, 0 if none lowered the loss. */
    private double backtrack(Closure closure, double[] d, double[] g, double[] x, double f) {
        double slope = FlatParameters.dot(g, d);
        if (slope < 0) {
            LineSearch.Phi phi = new LineSearch.Phi() {
                @Override
                public double value(double a) {
                    flat.set(FlatParameters.axpy(a, d, x));
                    return closure.evaluate();
                }

                @Override
                public double slope() {
                    throw new UnsupportedOperationException("backtracking needs no slopes");
                }
            };
            try {
                return BACKTRACK.search(phi, f, slope, alpha);
            } catch (LineSearch.Failed e) {
                // no step lowered the loss: stay
            }
        }
        flat.set(x); // at a stationary point, or stalled
        return 0;
    }

    /** Levenberg-Marquardt: the step along the first λ's direction that lowers the loss; returns α, or 0 if none did. */
    private double dampedStep(Closure closure, double[] h, int n, double[] g, double[] x, double f) {
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
                return alpha;
            }
        }
        flat.set(x); // no damping lowered the loss: stay (at a minimum, or stalled)
        return 0;
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

    /** The last step's direction and length, or null before the first. */
    public Step lastStep() {
        return lastStep;
    }

    public Safeguard safeguard() {
        return safeguard;
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
