package descent.diagnostics;

import descent.autograd.Tensor;
import descent.nn.Activation;
import descent.nn.Mode;
import descent.tensor.NdArray;

/**
 * What mean-field theory predicts for signals in a deep, wide network whose weights are drawn
 * with variance c/fan_in and whose biases are zero (Poole et al., 2016; Schoenholz et al., 2017).
 * A pre-activation z of layer l is then Gaussian with variance q_l, and
 * <pre>
 *   q_(l+1) = c · E[φ(z)²],   z ~ N(0, q_l)        (forward: second moment of the signal)
 *   χ_l     = c · E[φ'(z)²]                        (backward: gradient norm² ratio per layer)
 * </pre>
 * For ReLU, E[φ(z)²] = q/2 and E[φ'(z)²] = 1/2, so the activation norm changes by √(c/2) per layer
 * in both directions: the notes' vanishing (c = 1), stable (c = 2) and exploding (c = 3) regimes.
 * The expectations are computed by quadrature, and φ' by autograd, so any activation works.
 */
public final class MeanField {

    /**
     * Midpoint-rule cells over [−10σ, 10σ]. An even count keeps z = 0, where ReLU's derivative
     * jumps, on a cell boundary rather than on a node.
     */
    private static final int NODES = 8000;
    private static final double SPAN = 10;

    private MeanField() {}

    /**
     * Predicted per-layer log-slopes for {@code layers} layers with weight variance c/fan_in,
     * starting from the first layer's pre-activation variance {@code q1}.
     *
     * @param activationSlope        ln of the activation norm's change from layer l to l+1 (length layers−1)
     * @param activationGradientSlope ln of the change of the gradient w.r.t. the activations from
     *                                layer l to l+1, that is −½ ln χ (length layers−1)
     * @param secondMoments          E[φ(z_l)²] per layer
     */
    public record Prediction(double[] activationSlope, double[] activationGradientSlope, double[] secondMoments) {

        /** The mean predicted activation slope over layers [from, to) of the slope arrays. */
        public double meanActivationSlope(int from, int to) {
            return mean(activationSlope, from, to);
        }

        public double meanActivationGradientSlope(int from, int to) {
            return mean(activationGradientSlope, from, to);
        }

        private static double mean(double[] a, int from, int to) {
            double s = 0;
            for (int i = from; i < to; i++) {
                s += a[i];
            }
            return s / (to - from);
        }
    }

    public static Prediction predict(Activation activation, double c, double q1, int layers) {
        if (layers < 2 || !(c > 0) || !(q1 > 0)) {
            throw new IllegalArgumentException("MeanField: need layers ≥ 2, c > 0 and q1 > 0, got " + layers + ", " + c
                    + ", " + q1);
        }
        double[] moment = new double[layers];
        double[] chi = new double[layers];
        double q = q1;
        for (int l = 0; l < layers; l++) {
            double[] e = expectations(activation, q);
            moment[l] = e[0];
            chi[l] = c * e[1];
            q = c * e[0];
        }
        double[] act = new double[layers - 1];
        double[] grad = new double[layers - 1];
        for (int l = 0; l + 1 < layers; l++) {
            act[l] = 0.5 * Math.log(moment[l + 1] / moment[l]);
            // The gradient reaching layer l's output has passed through layer l+1's Jacobian.
            grad[l] = -0.5 * Math.log(chi[l + 1]);
        }
        return new Prediction(act, grad, moment);
    }

    /** The fixed log-slope ½ ln(c/2) of ReLU with variance c/n, for checking the quadrature. */
    public static double reluSlope(double c) {
        return 0.5 * Math.log(c / 2);
    }

    /** {E[φ(z)²], E[φ'(z)²]} for z ~ N(0, q). */
    static double[] expectations(Activation activation, double q) {
        double sigma = Math.sqrt(q);
        double h = 2 * SPAN / NODES;
        double[] z = new double[NODES];
        for (int i = 0; i < NODES; i++) {
            z[i] = sigma * (-SPAN + (i + 0.5) * h);
        }
        Tensor x = Tensor.param(NdArray.of(z, NODES));
        Tensor y = activation.forward(x, Mode.EVAL);
        y.sum().backward();
        double[] phi = y.value().toDoubleArray();
        double[] dphi = x.grad().value().toDoubleArray();
        double m2 = 0;
        double d2 = 0;
        for (int i = 0; i < NODES; i++) {
            double t = -SPAN + (i + 0.5) * h;
            double w = Math.exp(-t * t / 2);
            m2 += w * phi[i] * phi[i];
            d2 += w * dphi[i] * dphi[i];
        }
        double norm = h / Math.sqrt(2 * Math.PI);
        return new double[] {m2 * norm, d2 * norm};
    }
}
