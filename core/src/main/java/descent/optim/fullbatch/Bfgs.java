package descent.optim.fullbatch;

import descent.autograd.Tensor;
import descent.optim.Closure;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * BFGS with a dense inverse-Hessian approximation H (Nocedal &amp; Wright, Algorithm 6.1):
 * d = −Hg, a line search (strong Wolfe, c₂ = 0.9, first trying α = 1), then with s = αd and
 * y = g' − g, H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ with ρ = 1/yᵀs. H starts as the identity and is
 * rescaled to (yᵀs/yᵀy)·I before the first update (N&amp;W 6.20). An update with yᵀs ≤ 0, which
 * would lose positive definiteness, is skipped. Memory is n², for models up to a few thousand
 * parameters; {@link Lbfgs} scales further.
 */
public final class Bfgs extends FullBatchMinimizer {

    private double[] h; // row-major n×n
    private boolean scaled;

    Bfgs(Map<String, Tensor> params, LineSearch lineSearch) {
        super(params, lineSearch);
        long n = params.values().stream().mapToLong(Tensor::size).sum();
        if (n > FullBatch.BFGS_MAX_PARAMETERS) {
            throw new IllegalArgumentException("BFGS keeps a dense " + n + "×" + n + " inverse-Hessian approximation, "
                    + "above the limit of " + FullBatch.BFGS_MAX_PARAMETERS + " parameters; use lbfgs, which keeps a "
                    + "few vector pairs instead");
        }
    }

    @Override
    public double step(Closure closure) {
        double loss = start(closure);
        if (stalled) {
            return loss;
        }
        int n = x.length;
        if (h == null) {
            h = new double[n * n];
            for (int i = 0; i < n; i++) {
                h[i * n + i] = 1;
            }
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s -= h[i * n + j] * g[j];
            }
            d[i] = s;
        }
        Secant step = quasiNewtonMove(closure, d);
        if (step == null) {
            return loss;
        }
        double[] s = step.s();
        double[] y = step.y();
        double ys = FlatParameters.dot(y, s);
        if (ys > 0) {
            if (!scaled) {
                double gamma = ys / FlatParameters.dot(y, y);
                for (int i = 0; i < n; i++) {
                    h[i * n + i] = gamma;
                }
                scaled = true;
            }
            update(s, y, 1 / ys, n);
        }
        return loss;
    }

    /** H ← H − ρ(H y sᵀ + s yᵀH) + (ρ² yᵀHy + ρ) s sᵀ: the product form expanded, H symmetric. */
    private void update(double[] s, double[] y, double rho, int n) {
        double[] hy = new double[n];
        for (int i = 0; i < n; i++) {
            double acc = 0;
            for (int j = 0; j < n; j++) {
                acc += h[i * n + j] * y[j];
            }
            hy[i] = acc;
        }
        double yhy = FlatParameters.dot(y, hy);
        double c = rho * rho * yhy + rho;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + c * s[i] * s[j];
            }
        }
    }

    @Override
    Map<String, double[]> vectors() {
        Map<String, double[]> v = new LinkedHashMap<>();
        if (h != null) {
            v.put("inverse_hessian", h);
        }
        v.put("flags", new double[] {scaled ? 1 : 0, stalled ? 1 : 0});
        return v;
    }

    @Override
    void restore(Map<String, double[]> v) {
        h = v.get("inverse_hessian");
        double[] flags = v.get("flags");
        scaled = flags[0] != 0;
        stalled = flags[1] != 0;
    }
}
