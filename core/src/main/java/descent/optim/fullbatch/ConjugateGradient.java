package descent.optim.fullbatch;

import descent.autograd.Tensor;
import descent.optim.Closure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Nonlinear conjugate gradients: d₀ = −g₀, then dₖ = −gₖ + βₖdₖ₋₁ with a line search along
 * each direction (Nocedal &amp; Wright, ch. 5). β is a {@link Beta}; the method restarts with
 * steepest descent every {@code restartEvery} iterations (0: never), when Powell's test finds
 * successive gradients far from orthogonal (|gₖ·gₖ₋₁| ≥ 0.2‖gₖ‖², if enabled), and always
 * when the new direction is not a descent direction. Every restart is recorded.
 */
public final class ConjugateGradient extends FullBatchMinimizer {

    /** The choice of β, with y = gₖ − gₖ₋₁. */
    public enum Beta {
        /** Fletcher-Reeves: ‖gₖ‖² / ‖gₖ₋₁‖². */
        FR,
        /** Polak-Ribière: gₖ·y / ‖gₖ₋₁‖². */
        PR,
        /** Polak-Ribière clipped at zero, max(β_PR, 0): restarts itself when β_PR is negative. */
        PR_PLUS,
        /** Hestenes-Stiefel: gₖ·y / dₖ₋₁·y. */
        HS
    }

    /** A restart: at which iteration and why. */
    public record Restart(long iteration, String reason) {}

    private final Beta beta;
    private final int restartEvery;
    private final boolean powell;
    private final List<Restart> restarts = new ArrayList<>();
    private double[] d;
    private double[] previousG;
    private double[] previousD;
    private double lastAlpha;
    private long sinceRestart;

    ConjugateGradient(Map<String, Tensor> params, Beta beta, int restartEvery, boolean powell, LineSearch lineSearch) {
        super(params, lineSearch);
        if (restartEvery < 0) {
            throw new IllegalArgumentException("cg: restartEvery must be >= 0, got " + restartEvery);
        }
        this.beta = beta;
        this.restartEvery = restartEvery;
        this.powell = powell;
    }

    @Override
    public double step(Closure closure) {
        double loss = start(closure);
        if (stalled) {
            return loss;
        }
        if (d == null) {
            d = negate(g);
        }
        // First step: length 1/‖g‖ at most; later: the previous step's first-order change (N&W 3.60).
        double initial = previousG == null ? 1 / Math.max(1, Math.sqrt(FlatParameters.dot(g, g)))
                : lastAlpha * FlatParameters.dot(previousG, previousD) / FlatParameters.dot(g, d);
        double[] gOld = g;
        double[] dOld = d;
        double alpha = moveAlong(closure, d, initial > 0 && Double.isFinite(initial) ? initial : 1);
        if (alpha == 0) {
            return loss;
        }
        lastAlpha = alpha;
        previousG = gOld;
        previousD = dOld;
        iterations++;
        sinceRestart++;
        d = nextDirection(gOld, dOld);
        return loss;
    }

    private double[] nextDirection(double[] gOld, double[] dOld) {
        double[] y = FlatParameters.axpy(-1, gOld, g);
        double b = switch (beta) {
            case FR -> FlatParameters.dot(g, g) / FlatParameters.dot(gOld, gOld);
            case PR -> FlatParameters.dot(g, y) / FlatParameters.dot(gOld, gOld);
            case PR_PLUS -> Math.max(0, FlatParameters.dot(g, y) / FlatParameters.dot(gOld, gOld));
            case HS -> FlatParameters.dot(g, y) / FlatParameters.dot(dOld, y);
        };
        String reason = null;
        if (restartEvery > 0 && sinceRestart >= restartEvery) {
            reason = "every " + restartEvery + " iterations";
        } else if (powell && Math.abs(FlatParameters.dot(g, gOld)) >= 0.2 * FlatParameters.dot(g, g)) {
            reason = "Powell: successive gradients not orthogonal";
        } else if (!Double.isFinite(b)) {
            reason = "beta not finite";
        }
        double[] next = reason != null ? negate(g) : FlatParameters.axpy(b, dOld, negate(g));
        if (reason == null && !(FlatParameters.dot(next, g) < 0)) {
            reason = "not a descent direction";
            next = negate(g);
        }
        if (reason != null) {
            restarts.add(new Restart(iterations, reason));
            sinceRestart = 0;
        }
        return next;
    }

    private static double[] negate(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = -v[i];
        }
        return out;
    }

    /** Every restart so far, in order. */
    public List<Restart> restarts() {
        return List.copyOf(restarts);
    }

    @Override
    Map<String, double[]> vectors() {
        Map<String, double[]> v = new java.util.LinkedHashMap<>();
        v.put("d", d);
        v.put("scalars", new double[] {lastAlpha, sinceRestart, stalled ? 1 : 0});
        if (previousG != null) {
            v.put("previous_g", previousG);
            v.put("previous_d", previousD);
        }
        return v;
    }

    @Override
    void restore(Map<String, double[]> v) {
        d = v.get("d");
        double[] s = v.get("scalars");
        lastAlpha = s[0];
        sinceRestart = (long) s[1];
        stalled = s[2] != 0;
        previousG = v.get("previous_g");
        previousD = v.get("previous_d");
    }
}
