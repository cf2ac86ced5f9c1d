package descent.optim.fullbatch;

import descent.autograd.Tensor;
import descent.optim.Closure;
import descent.optim.Objective;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Truncated Newton (Newton-CG; Nocedal &amp; Wright, Algorithm 7.1): the Newton system H d = −g is
 * solved approximately by linear conjugate gradients using only Hessian-vector products, stopped
 * when the residual falls below η‖g‖ with η = min(0.5, √‖g‖), or at the first direction of
 * non-positive curvature (then the direction so far, or −g on the first inner iteration, is
 * used). A line search along d finishes the step. Memory is O(n), for models too large for
 * {@link Newton}.
 */
public final class NewtonCg extends FullBatchMinimizer {

    private final List<Tensor> list;
    private final int maxInner;

    NewtonCg(Map<String, Tensor> params, int maxInner, LineSearch lineSearch) {
        super(params, lineSearch);
        this.list = new ArrayList<>(params.values());
        this.maxInner = maxInner;
    }

    @Override
    public double step(Closure closure) {
        int size = flat.size();
        UnaryOperator<double[]> hessianVector = switch (closure) {
            case SecondOrderClosure s -> s::hessianVector;
            case Objective.WithObjective wo -> v -> Curvature.hessianVector(wo.objective(), list, size, v);
            default -> throw new IllegalArgumentException("Newton-CG differentiates twice: pass "
                    + "Objective.closure(params, objective) or a SecondOrderClosure");
        };
        double loss = start(closure);
        if (stalled) {
            return loss;
        }
        int n = x.length;
        double gNorm = Math.sqrt(FlatParameters.dot(g, g));
        double tolerance = Math.min(0.5, Math.sqrt(gNorm)) * gNorm;
        double[] z = new double[n];
        double[] r = g.clone();
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = -r[i];
        }
        flat.set(x);
        for (int j = 0; j < Math.min(maxInner, 2 * n + 10); j++) {
            double[] hp = hessianVector.apply(p);
            double curvature = FlatParameters.dot(p, hp);
            if (curvature <= 0) {
                if (j == 0) {
                    z = p.clone(); // steepest descent
                }
                break;
            }
            double rr = FlatParameters.dot(r, r);
            double a = rr / curvature;
            z = FlatParameters.axpy(a, p, z);
            r = FlatParameters.axpy(a, hp, r);
            double rrNew = FlatParameters.dot(r, r);
            if (Math.sqrt(rrNew) < tolerance) {
                break;
            }
            p = FlatParameters.axpy(rrNew / rr, p, negateInPlace(r.clone()));
        }
        if (moveAlong(closure, z, 1) > 0) {
            iterations++;
        }
        return loss;
    }

    private static double[] negateInPlace(double[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = -v[i];
        }
        return v;
    }

    @Override
    Map<String, double[]> vectors() {
        return Map.of("flags", new double[] {stalled ? 1 : 0});
    }

    @Override
    void restore(Map<String, double[]> v) {
        stalled = v.get("flags")[0] != 0;
    }
}
