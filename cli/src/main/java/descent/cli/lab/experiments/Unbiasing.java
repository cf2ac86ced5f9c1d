package descent.cli.lab.experiments;

import descent.autograd.Tensor;
import descent.cli.Hyperparameters;
import descent.cli.OptimizerNames;
import descent.cli.lab.Csv;
import descent.cli.lab.DeepNets;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.plot.LinePlot;
import descent.optim.Optimizer;
import descent.tensor.NdArray;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Adam and EMA momentum, with and without bias correction, over their first steps. */
final class Unbiasing {

    static final Experiment EXPERIMENT = new Experiment("unbiasing", "Unbiasing momentum: the first steps",
            "An exponential moving average u_t = βu_(t−1) + (1−β)g_t started at u_0 = 0 is too small at first: "
            + "with a constant gradient g it equals (1 − βᵗ)g. Dividing by 1 − βᵗ removes the bias. For EMA "
            + "momentum the uncorrected first steps are 10× too short (β = 0.9); Adam divides two biased averages, "
            + "(1 − β₁ᵗ)/√(1 − β₂ᵗ), so without correction its first step is about 3.2× too long. Here the "
            + "gradient is constant (f(θ) = θ), so every step can be compared with its formula exactly.",
            Unbiasing::run);

    private static final double LR = 0.01;
    private static final double BETA = 0.9;
    private static final double BETA2 = 0.999;

    private Unbiasing() {}

    private static void run(Lab lab) throws IOException {
        int steps = lab.size(100, 30);
        Map<String, Hyperparameters> variants = new java.util.LinkedHashMap<>();
        variants.put("EMA momentum, unbiased", Hyperparameters.of("lr", Double.toString(LR), "momentum", Double.toString(BETA),
                "momentum_form", "ema", "unbias", "true"));
        variants.put("EMA momentum, biased", Hyperparameters.of("lr", Double.toString(LR), "momentum", Double.toString(BETA),
                "momentum_form", "ema", "unbias", "false"));
        variants.put("Adam, bias-corrected", Hyperparameters.of("lr", Double.toString(LR), "eps", "0"));
        variants.put("Adam, uncorrected", Hyperparameters.of("lr", Double.toString(LR), "eps", "0", "bias_correction", "false"));
        Csv csv = new Csv("variant,step,step_size,predicted_step_size");
        LinePlot plot = new LinePlot("Step length divided by the learning rate (constant gradient 1)", "step", "|Δθ| / lr").logY();
        List<List<String>> rows = new ArrayList<>();
        for (var e : variants.entrySet()) {
            String name = e.getKey();
            boolean adam = name.startsWith("Adam");
            Tensor theta = Tensor.param(NdArray.of(new double[] {0}, 1));
            Optimizer opt = OptimizerNames.firstOrder(adam ? "adam" : "sgd", e.getValue()).over(Map.of("theta", theta));
            double[] measured = new double[steps];
            double[] predicted = new double[steps];
            double worst = 0;
            for (int t = 1; t <= steps; t++) {
                double before = theta.value().item();
                opt.zeroGrad();
                theta.sum().backward(); // f(θ) = θ: the gradient is 1 at every step
                opt.step();
                measured[t - 1] = Math.abs(theta.value().item() - before) / LR;
                predicted[t - 1] = predicted(name, t);
                worst = Math.max(worst, Math.abs(measured[t - 1] - predicted[t - 1]) / predicted[t - 1]);
                csv.row(name, t, measured[t - 1], predicted[t - 1]);
            }
            plot.series(name, DeepNets.count(steps), measured);
            rows.add(List.of(name, Csv.num(measured[0]), Csv.num(measured[9]), Csv.num(measured[steps - 1])));
            lab.verdict(name + ": step 1 / lr, and largest relative deviation from the formula over " + steps + " steps",
                    String.format(Locale.ROOT, "%.4f; %.1e", measured[0], worst), String.format(Locale.ROOT,
                            "%.4f = %s; < 1e-9", predicted[0], formula(name)), worst < 1e-9);
        }
        lab.csv("steps.csv", csv);
        lab.figure("step_sizes.png", "Step sizes over the first steps: biased averages start too small (EMA) or too "
                + "large (Adam) and converge to the corrected value", f -> plot.write(f, 900, 520));
        lab.table("Step length / lr", List.of("variant", "step 1", "step 10", "step " + steps), rows);
    }

    /** |Δθ_t| / lr for a gradient that is always 1. */
    static double predicted(String variant, int t) {
        return switch (variant) {
            case "EMA momentum, unbiased", "Adam, bias-corrected" -> 1;
            case "EMA momentum, biased" -> 1 - Math.pow(BETA, t);
            case "Adam, uncorrected" -> (1 - Math.pow(BETA, t)) / Math.sqrt(1 - Math.pow(BETA2, t));
            default -> throw new IllegalArgumentException(variant);
        };
    }

    private static String formula(String variant) {
        return switch (variant) {
            case "EMA momentum, biased" -> "1 − β";
            case "Adam, uncorrected" -> "(1 − β₁)/√(1 − β₂)";
            default -> "1";
        };
    }
}
