package descent.optim.fullbatch;

import descent.autograd.Tensor;
import descent.optim.Closure;
import descent.tensor.NdArray;
import java.util.List;
import java.util.Map;

/**
 * Parameters seen as one float64 vector, as full-batch methods (line searches, CG, BFGS)
 * need them: values and gradients are concatenated in map order, and a vector can be written
 * back. Each parameter keeps its own dtype; float32 values round on the way back.
 */
final class FlatParameters {

    private final List<Tensor> params;
    private final int size;

    FlatParameters(Map<String, Tensor> params) {
        this.params = List.copyOf(params.values());
        int n = 0;
        for (Tensor t : this.params) {
            n += t.size();
        }
        this.size = n;
    }

    int size() {
        return size;
    }

    double[] values() {
        return concat(params.stream().map(Tensor::value).toList(), size);
    }

    /** The arrays' elements one after another, as float64. */
    static double[] concat(List<NdArray> arrays, int size) {
        double[] out = new double[size];
        int at = 0;
        for (NdArray a : arrays) {
            double[] v = a.toDoubleArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /** The gradients; zeros for a parameter the loss did not reach or that is frozen. */
    double[] grads() {
        double[] out = new double[size];
        int at = 0;
        for (Tensor t : params) {
            if (t.requiresGrad() && t.grad() != null) {
                double[] g = t.grad().value().toDoubleArray();
                System.arraycopy(g, 0, out, at, g.length);
            }
            at += t.size();
        }
        return out;
    }

    void set(double[] x) {
        int at = 0;
        for (Tensor t : params) {
            double[] part = new double[t.size()];
            System.arraycopy(x, at, part, 0, part.length);
            if (t.requiresGrad()) {
                t.assign(NdArray.of(t.dtype(), part, t.shape()));
            }
            at += part.length;
        }
    }

    /** Evaluates the closure at x: returns the loss and fills grad. */
    double evaluate(Closure closure, double[] x, double[] grad) {
        set(x);
        double f = closure.evaluate();
        System.arraycopy(grads(), 0, grad, 0, size);
        return f;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] axpy(double a, double[] x, double[] y) {
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = y[i] + a * x[i];
        }
        return out;
    }
}
