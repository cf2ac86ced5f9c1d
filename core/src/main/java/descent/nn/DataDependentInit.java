package descent.nn;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.tensor.Shapes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Data-dependent initialization on top of any initializer: layer after layer, a batch is passed
 * forward and the first Linear layer whose output's standard deviation is off the target is
 * rescaled, until every Linear layer has the target scale. The notes (after Goodfellow et al.,
 * §8.4): "by repeatedly identifying the first layer with unacceptably small activations and
 * increasing its weights, it is possible to eventually obtain a network with reasonable initial
 * activations throughout"; LSUV (Mishkin &amp; Matas, 2015) does the same to unit variance,
 * after an orthonormal start that is not required here.
 *
 * <p>A layer's output y = x·Wᵀ + b is rescaled to s·y by multiplying W and b by s = target / std(y),
 * so that, the layers before it being done, one rescaling gives it exactly the target scale (up to
 * rounding): LSUV scales W alone, which is the same for its zero biases but would need more
 * rounds for others. Zero biases stay zero. The std is that of all the output's elements on the
 * batch (LSUV's variance of the blob). Passes run in evaluation mode and record no graph, so dropout
 * is off and batch norm's running statistics are left alone; nothing is random, so the same model
 * and batch give the same weights.
 */
public final class DataDependentInit {

    /**
     * What to aim for.
     *
     * @param targetStd     the standard deviation every Linear layer's output should have
     * @param tolerance     relative: a layer is done when |std / target − 1| ≤ tolerance
     * @param maxIterations rescalings allowed per layer; a layer still off after them is left as it is
     *                      (its row of the report says so) and the next layer is treated
     */
    public record Settings(double targetStd, double tolerance, int maxIterations) {
        public Settings {
            if (!(targetStd > 0) || Double.isInfinite(targetStd)) {
                throw new IllegalArgumentException("DataDependentInit: the target std must be positive and finite, got "
                        + targetStd);
            }
            if (!(tolerance >= 0 && tolerance < 1)) {
                throw new IllegalArgumentException("DataDependentInit: the relative tolerance must be in [0, 1), got "
                        + tolerance);
            }
            if (maxIterations < 1) {
                throw new IllegalArgumentException("DataDependentInit: at least one iteration per layer, got "
                        + maxIterations);
            }
        }

        /** Unit std within 5 %, at most 10 rescalings per layer (LSUV's T_max). */
        public static Settings unitStd() {
            return new Settings(1, 0.05, 10);
        }
    }

    /**
     * One Linear layer, under its dotted name: its output's std on the batch in the model as it was
     * given and at the end, and how many times it was rescaled (0 if it already had the target
     * scale once the layers before it had theirs).
     */
    public record Layer(String name, double stdBefore, double stdAfter, int iterations) {}

    /** Every Linear layer in the order the forward pass reaches them, and the settings they were held to. */
    public record Report(List<Layer> layers, Settings settings) {
        public Report {
            layers = List.copyOf(layers);
        }

        /** Whether a layer's output has the target std within the tolerance. */
        public boolean withinTolerance(Layer layer) {
            return Math.abs(layer.stdAfter() / settings.targetStd() - 1) <= settings.tolerance();
        }

        /** Whether every layer ended within the tolerance. */
        public boolean converged() {
            return layers.stream().allMatch(this::withinTolerance);
        }

        public Layer last() {
            return layers.getLast();
        }
    }

    /** Ends a pass at the first layer that needs rescaling: the layers after it see an input that will change. */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    private DataDependentInit() {}

    /**
     * Rescales {@code model}'s Linear layers in place so that each one's output on {@code inputs}
     * (a batch, first axis the examples) has {@code settings.targetStd()}, input side first.
     *
     * @throws IllegalArgumentException for an empty batch, a model without Linear layers, a frozen
     *                                  Linear layer, or a layer whose output is constant or not finite
     *                                  (no rescaling can give it scale)
     */
    public static Report apply(Module model, Tensor inputs, Settings settings) {
        if (inputs.rank() == 0 || inputs.dim(0) == 0) {
            throw new IllegalArgumentException("DataDependentInit: needs a non-empty batch of inputs, got shape "
                    + Shapes.str(inputs.shape()));
        }
        Map<Linear, String> names = new LinkedHashMap<>();
        Map<Linear, Double> before = new LinkedHashMap<>();
        Map<Linear, Integer> iterations = new LinkedHashMap<>();
        Map<Linear, Double> after = new LinkedHashMap<>();
        try (var _ = GradMode.noGrad()) {
            model.forward(inputs, Mode.EVAL, (name, module, output) -> {
                if (module instanceof Linear layer && !names.containsKey(layer)) {
                    names.put(layer, name);
                    before.put(layer, std(output.value().toDoubleArray()));
                }
            });
            if (names.isEmpty()) {
                throw new IllegalArgumentException("DataDependentInit: " + model.getClass().getSimpleName()
                        + " has no Linear layer to rescale");
            }
            boolean rescaled = true;
            while (rescaled) {
                rescaled = false;
                after.clear();
                try {
                    model.forward(inputs, Mode.EVAL, (name, module, output) -> {
                        if (!(module instanceof Linear layer) || after.containsKey(layer)) {
                            return; // a layer used twice in a pass is judged on its first use
                        }
                        double std = checked(std(output.value().toDoubleArray()), name);
                        int done = iterations.getOrDefault(layer, 0);
                        if (Math.abs(std / settings.targetStd() - 1) > settings.tolerance() && done < settings.maxIterations()) {
                            scale(layer, name, settings.targetStd() / std);
                            iterations.put(layer, done + 1);
                            throw new Stop();
                        }
                        iterations.putIfAbsent(layer, done);
                        after.put(layer, std);
                    });
                } catch (Stop stop) {
                    rescaled = true;
                }
            }
        }
        List<Layer> layers = new ArrayList<>();
        names.forEach((layer, name) -> layers.add(new Layer(name, before.get(layer), after.get(layer),
                iterations.get(layer))));
        return new Report(layers, settings);
    }

    /** The population std of all of a layer's output elements. */
    private static double std(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= v.length;
        double squares = 0;
        for (double x : v) {
            squares += (x - mean) * (x - mean);
        }
        return Math.sqrt(squares / v.length);
    }

    /** The std of the layer {@code name} about to be rescaled, refusing what rescaling cannot mend. */
    private static double checked(double std, String name) {
        if (!Double.isFinite(std)) {
            throw new IllegalArgumentException("DataDependentInit: Linear layer '" + name + "' gives non-finite outputs "
                    + "on the batch: its input or weights are already broken");
        }
        if (std == 0) {
            throw new IllegalArgumentException("DataDependentInit: Linear layer '" + name + "' gives the same output for "
                    + "every unit and example (std 0): rescaling cannot give it scale; start from an initializer that "
                    + "draws distinct weights, not constant or zeros");
        }
        return std;
    }

    private static void scale(Linear layer, String name, double s) {
        if (!layer.weight().requiresGrad()) {
            throw new IllegalArgumentException("DataDependentInit: Linear layer '" + name + "' is frozen: rescaling "
                    + "it would change weights meant to stay; unfreeze it first, or initialize before freezing");
        }
        layer.weight().assign(layer.weight().value().mul(s));
        if (layer.bias() != null) {
            layer.bias().assign(layer.bias().value().mul(s));
        }
    }
}
