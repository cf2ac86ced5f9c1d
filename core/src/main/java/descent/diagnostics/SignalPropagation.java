package descent.diagnostics;

import descent.autograd.Autograd;
import descent.autograd.Tensor;
import descent.nn.Linear;
import descent.nn.Mode;
import descent.nn.Module;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * How signals travel through a network's depth on one batch: per Linear layer (layer 1 nearest
 * the input) the per-example norm of the layer's activation (its output after whatever follows
 * it up to the next Linear: activation, batch norm, dropout), of the loss gradient with respect to
 * that activation, and of the gradient with respect to the layer's weight; plus log-slopes fitted
 * by least squares across depth, to set beside {@link MeanField}'s prediction.
 */
public final class SignalPropagation {

    /**
     * One Linear layer's measurements; norms of batch tensors are per example (√(‖A‖²/batch)).
     * {@code weightGradientNorm} is the norm of the batch's weight gradient;
     * {@code perExampleWeightGradientNorm} is √(Σ_b ‖δ_b‖²‖a_b‖²), the norm the examples' own
     * gradients δ_b·a_bᵀ would have if they did not add up coherently or cancel. Mean-field theory
     * predicts the latter: the batch gradient also depends on how alike the examples' hidden
     * vectors are, which changes with depth.
     */
    public record Layer(int index, String name, double activationNorm, double activationGradientNorm,
                        double weightGradientNorm, double perExampleWeightGradientNorm) {}

    private SignalPropagation() {}

    /**
     * Runs one forward and backward pass of {@code loss(model(input))} and measures every Linear
     * layer. Parameter gradients are computed without touching their {@code grad()}.
     */
    public static List<Layer> measure(Module model, Tensor input, Function<Tensor, Tensor> loss, Mode mode) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Map<String, Tensor> linearInput = new LinkedHashMap<>();
        Map<String, Tensor> linearOutput = new LinkedHashMap<>();
        Map<String, Tensor> lastOutput = new LinkedHashMap<>();
        String[] current = {null};
        Tensor[] previous = {input};
        Tensor out = model.forward(input, mode, (name, module, output) -> {
            if (!module.children().isEmpty() || name.isEmpty()) {
                return;
            }
            if (module instanceof Linear l) {
                current[0] = name;
                weights.put(name, l.weight());
                linearInput.put(name, previous[0]);
                linearOutput.put(name, output);
            }
            if (current[0] != null) {
                lastOutput.put(current[0], output);
            }
            previous[0] = output;
        });
        Tensor value = loss.apply(out);
        int n = lastOutput.size();
        List<Tensor> wrt = new ArrayList<>(lastOutput.values());
        wrt.addAll(weights.values());
        wrt.addAll(linearOutput.values());
        List<Tensor> grads = Autograd.grad(value, wrt, false);
        int batch = input.rank() > 1 ? input.dim(0) : 1;
        List<Layer> layers = new ArrayList<>();
        int i = 0;
        for (String name : lastOutput.keySet()) {
            layers.add(new Layer(i + 1, name,
                    TensorStats.of(lastOutput.get(name).value()).normPerRow(batch),
                    TensorStats.of(grads.get(i).value()).normPerRow(batch),
                    TensorStats.of(grads.get(n + i).value()).norm(),
                    perExampleNorm(grads.get(2 * n + i).value(), linearInput.get(name).value())));
            i++;
        }
        return layers;
    }

    /** √(Σ_b ‖δ_b‖²‖a_b‖²) over the rows of δ [batch, out] and a [batch, in]. */
    private static double perExampleNorm(NdArray delta, NdArray a) {
        double[] d = delta.toDoubleArray();
        double[] x = a.toDoubleArray();
        int rows = delta.rank() > 1 ? delta.dim(0) : 1;
        int out = d.length / rows;
        int in = x.length / rows;
        double sum = 0;
        for (int b = 0; b < rows; b++) {
            double dd = 0;
            for (int j = 0; j < out; j++) {
                dd += d[b * out + j] * d[b * out + j];
            }
            double aa = 0;
            for (int k = 0; k < in; k++) {
                aa += x[b * in + k] * x[b * in + k];
            }
            sum += dd * aa;
        }
        return Math.sqrt(sum);
    }

    /** Least-squares slope of ln(y) against the index over [from, to); non-positive values are skipped. */
    public static double fitLogSlope(double[] y, int from, int to) {
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (y[i] > 0 && Double.isFinite(y[i])) {
                double ly = Math.log(y[i]);
                sx += i;
                sy += ly;
                sxx += (double) i * i;
                sxy += i * ly;
                n++;
            }
        }
        if (n < 2) {
            return Double.NaN;
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    /** The geometric mean of y over [from, to): the level of a quantity that stays flat across depth. */
    public static double geometricMean(double[] y, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += Math.log(y[i]);
        }
        return Math.exp(s / (to - from));
    }

    /** A column of the measurements. */
    public static double[] column(List<Layer> layers, ToDoubleFunction<Layer> f) {
        return layers.stream().mapToDouble(f).toArray();
    }
}
