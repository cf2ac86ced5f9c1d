package descent.optim.fullbatch;

import descent.autograd.Tensor;
import descent.optim.Closure;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Limited-memory BFGS (Nocedal, 1980; Liu &amp; Nocedal, 1989): the last m pairs (s, y) stand in
 * for the inverse Hessian, applied to the gradient by the two-loop recursion with initial
 * scaling γ = sᵀy/yᵀy (N&amp;W Algorithm 7.4), then a strong Wolfe line search trying α = 1
 * first. Pairs with yᵀs ≤ 0 are not stored. Memory is 2mn.
 */
public final class Lbfgs extends FullBatchMinimizer {

    private final int history;
    private final Deque<double[]> sHistory = new ArrayDeque<>();
    private final Deque<double[]> yHistory = new ArrayDeque<>();

    Lbfgs(Map<String, Tensor> params, int history, LineSearch lineSearch) {
        super(params, lineSearch);
        if (history < 1) {
            throw new IllegalArgumentException("lbfgs: history must be >= 1, got " + history);
        }
        this.history = history;
    }

    @Override
    public double step(Closure closure) {
        double loss = start(closure);
        if (stalled) {
            return loss;
        }
        double[] d = direction();
        Secant step = quasiNewtonMove(closure, d);
        if (step == null) {
            return loss;
        }
        double[] s = step.s();
        double[] y = step.y();
        if (FlatParameters.dot(y, s) > 0) {
            sHistory.addLast(s);
            yHistory.addLast(y);
            if (sHistory.size() > history) {
                sHistory.removeFirst();
                yHistory.removeFirst();
            }
        }
        return loss;
    }

    /** −H·g by the two-loop recursion. */
    private double[] direction() {
        int k = sHistory.size();
        double[] q = g.clone();
        double[] alphas = new double[k];
        double[] rhos = new double[k];
        Iterator<double[]> si = sHistory.descendingIterator();
        Iterator<double[]> yi = yHistory.descendingIterator();
        for (int i = k - 1; i >= 0; i--) {
            double[] s = si.next();
            double[] y = yi.next();
            rhos[i] = 1 / FlatParameters.dot(y, s);
            alphas[i] = rhos[i] * FlatParameters.dot(s, q);
            q = FlatParameters.axpy(-alphas[i], y, q);
        }
        if (k > 0) {
            double[] s = sHistory.getLast();
            double[] y = yHistory.getLast();
            double gamma = FlatParameters.dot(s, y) / FlatParameters.dot(y, y);
            for (int i = 0; i < q.length; i++) {
                q[i] *= gamma;
            }
        }
        si = sHistory.iterator();
        yi = yHistory.iterator();
        for (int i = 0; i < k; i++) {
            double[] s = si.next();
            double[] y = yi.next();
            double b = rhos[i] * FlatParameters.dot(y, q);
            q = FlatParameters.axpy(alphas[i] - b, s, q);
        }
        for (int i = 0; i < q.length; i++) {
            q[i] = -q[i];
        }
        return q;
    }

    @Override
    Map<String, double[]> vectors() {
        Map<String, double[]> v = new LinkedHashMap<>();
        int i = 0;
        Iterator<double[]> yi = yHistory.iterator();
        for (double[] s : sHistory) {
            v.put("s." + i, s);
            v.put("y." + i, yi.next());
            i++;
        }
        v.put("flags", new double[] {stalled ? 1 : 0});
        return v;
    }

    @Override
    void restore(Map<String, double[]> v) {
        sHistory.clear();
        yHistory.clear();
        for (int i = 0; v.containsKey("s." + i); i++) {
            double[] s = v.get("s." + i);
            double[] y = v.get("y." + i);
            if (y == null || s.length != y.length) {
                throw new IllegalArgumentException("optimizer state does not fit: s." + i + " without a y." + i
                        + " of its length");
            }
            sHistory.addLast(s);
            yHistory.addLast(y);
        }
        stalled = v.get("flags")[0] != 0;
    }
}
