package descent.optim.fullbatch;

import descent.autograd.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The full-batch methods, each with its textbook defaults and in full. A step of any of them is
 * one iteration on a closure over the whole data set; the Newton family needs an
 * {@link descent.optim.Objective} closure, since it differentiates the gradient again.
 */
public final class FullBatch {

    private FullBatch() {}

    /** Most parameters Newton's method forms the Hessian for by default (n² doubles). */
    public static final int NEWTON_MAX_PARAMETERS = 5000;

    /** Most parameters BFGS keeps its dense inverse-Hessian approximation for (n² doubles: 200 MB). */
    public static final int BFGS_MAX_PARAMETERS = 5000;

    /** PR+ with Powell restarts and a strong Wolfe search with c₂ = 0.1, the textbook setting. */
    public static ConjugateGradient cg(Map<String, Tensor> params) {
        return cg(params, ConjugateGradient.Beta.PR_PLUS, 0, true, LineSearch.strongWolfe(1e-4, 0.1, 40));
    }

    /** Nonlinear CG with a restart every {@code restartEvery} iterations (0: none) and Powell's restart test. */
    public static ConjugateGradient cg(Map<String, Tensor> params, ConjugateGradient.Beta beta, int restartEvery,
                                       boolean powell, LineSearch lineSearch) {
        return new ConjugateGradient(params, beta, restartEvery, powell, lineSearch);
    }

    /** BFGS with a strong Wolfe search (c₂ = 0.9). */
    public static Bfgs bfgs(Map<String, Tensor> params) {
        return bfgs(params, LineSearch.strongWolfe());
    }

    public static Bfgs bfgs(Map<String, Tensor> params, LineSearch lineSearch) {
        return new Bfgs(params, lineSearch);
    }

    /** L-BFGS keeping 10 pairs, with a strong Wolfe search (c₂ = 0.9). */
    public static Lbfgs lbfgs(Map<String, Tensor> params) {
        return lbfgs(params, 10, LineSearch.strongWolfe());
    }

    public static Lbfgs lbfgs(Map<String, Tensor> params, int history, LineSearch lineSearch) {
        return new Lbfgs(params, history, lineSearch);
    }

    /**
     * Newton's method: α = 1, no damping (λ = 10⁻³ for the damped and saddle-free variants),
     * safeguarded by backtracking.
     */
    public static Newton newton(Map<String, Tensor> params, Newton.Variant variant) {
        return newton(params, variant, 1, variant == Newton.Variant.PLAIN ? 0 : 1e-3, NEWTON_MAX_PARAMETERS);
    }

    /** Newton's method with step α and damping λ, backtracking, refusing more than {@code maxParameters} parameters. */
    public static Newton newton(Map<String, Tensor> params, Newton.Variant variant, double alpha, double damping,
                                int maxParameters) {
        return newton(params, variant, alpha, damping, maxParameters, Newton.Safeguard.BACKTRACKING);
    }

    /** Newton's method with its safeguard chosen: {@link Newton.Safeguard#NONE} is the raw fixed-step method. */
    public static Newton newton(Map<String, Tensor> params, Newton.Variant variant, double alpha, double damping,
                                int maxParameters, Newton.Safeguard safeguard) {
        return new Newton(params, variant, alpha, damping, maxParameters, safeguard);
    }

    /** Truncated Newton: at most 200 CG iterations on Hessian-vector products, then a strong Wolfe search. */
    public static NewtonCg newtonCg(Map<String, Tensor> params) {
        return newtonCg(params, 200, LineSearch.strongWolfe());
    }

    public static NewtonCg newtonCg(Map<String, Tensor> params, int maxInner, LineSearch lineSearch) {
        return new NewtonCg(params, maxInner, lineSearch);
    }

    /** Coordinate descent, one scalar coordinate at a time, in cyclic or seeded random order. */
    public static CoordinateDescent coordinateDescent(Map<String, Tensor> params, boolean random, long seed,
                                                      LineSearch lineSearch) {
        return CoordinateDescent.coordinates(params, random, seed, lineSearch);
    }

    /**
     * Block coordinate descent over named blocks of parameters (each parameter in exactly one);
     * blocks listed in {@code updates} use their own update instead of the line search.
     */
    public static CoordinateDescent blockCoordinateDescent(Map<String, Tensor> params, Map<String, List<String>> blocks,
                                                           Map<String, CoordinateDescent.BlockUpdate> updates,
                                                           boolean random, long seed, LineSearch lineSearch) {
        return CoordinateDescent.blocks(params, blocks, updates, random, seed, lineSearch);
    }
}
