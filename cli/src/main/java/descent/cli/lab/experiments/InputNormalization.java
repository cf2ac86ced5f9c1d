package descent.cli.lab.experiments;

import descent.autograd.Autograd;
import descent.autograd.Tensor;
import descent.cli.lab.Csv;
import descent.cli.lab.DeepNets;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.plot.LinePlot;
import descent.optim.Objective;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.optim.fullbatch.FullBatch;
import descent.optim.fullbatch.Newton;
import descent.optim.fullbatch.Spectrum;
import descent.tensor.NdArray;
import descent.train.SplitMix64;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The notes' badly scaled input, x₁ in [1000, 2000] and x₂ in [0.1, 0.2], with and without normalization. */
final class InputNormalization {

    static final Experiment EXPERIMENT = new Experiment("input-normalization", "Input normalization",
            "For h = w₁x₁ + w₂x₂ + b with x₁ in [1000, 2000] and x₂ in [0.1, 0.2], w₁ influences the output ten "
            + "thousand times more than w₂: the loss is a valley whose curvatures differ by a factor of about 10¹⁰. "
            + "Gradient descent must take steps small enough for the steep direction, and then crawls along the "
            + "flat one: it needs about κ/4·ln(1/ε) steps. Standardizing each input (subtract the mean, divide by "
            + "the standard deviation) makes the curvatures alike and gradient descent converges in a few steps.",
            InputNormalization::run);

    private static final int N = 500;

    /** Loss error (relative to the start) that counts as converged. */
    private static final double EPSILON = 1e-6;

    private InputNormalization() {}

    private static void run(Lab lab) throws IOException {
        SplitMix64 rng = SplitMix64.derive(lab.seed(), "data");
        double[] x = new double[N * 2];
        double[] y = new double[N];
        for (int i = 0; i < N; i++) {
            x[2 * i] = 1000 + 1000 * rng.nextDouble();
            x[2 * i + 1] = 0.1 + 0.1 * rng.nextDouble();
            y[i] = 0.002 * x[2 * i] + 10 * x[2 * i + 1] + 0.1 * rng.nextGaussian();
        }
        double[] z = standardized(x);
        int budget = lab.size(20000, 2000);
        Csv csv = new Csv("input,step,loss_gap");
        LinePlot plot = new LinePlot("Gradient descent with its best constant step", "step", "loss − optimal loss (log scale)")
                .logY();
        List<List<String>> rows = new ArrayList<>();
        NdArray start = NdArray.of(new double[] {0, 0, 0}, 3);
        // Both parametrizations reach the same best fit; the well-conditioned one computes it accurately.
        Function<Tensor, Tensor> standardLoss = meanSquaredError(z, y);
        double optimal = standardLoss.apply(Tensor.of(newtonStep(standardLoss, start))).item();
        for (boolean normalize : new boolean[] {false, true}) {
            String label = normalize ? "standardized" : "raw";
            Function<Tensor, Tensor> loss = meanSquaredError(normalize ? z : x, y);
            NdArray hessian = Autograd.hessian(loss, start);
            double[] eig = Spectrum.eigenvalues(hessian);
            double kappa = eig[2] / eig[0];
            double lr = 2 / (eig[0] + eig[2]);
            double rate = (kappa - 1) / (kappa + 1);
            double predicted = Math.ceil(Math.log(EPSILON) / (2 * Math.log(rate)));
            Tensor theta = Tensor.param(start);
            Optimizer opt = Optimizers.sgd(lr).over(Map.of("theta", theta));
            double gap0 = loss.apply(Tensor.of(start)).item() - optimal;
            int reached = -1;
            List<Double> gaps = new ArrayList<>();
            for (int s = 1; s <= budget; s++) {
                opt.zeroGrad();
                loss.apply(theta).backward();
                opt.step();
                double gap = loss.apply(Tensor.of(theta.value())).item() - optimal;
                gaps.add(gap);
                if (s <= 200 || s % 10 == 0) {
                    csv.row(label, s, gap);
                }
                if (gap <= EPSILON * gap0) {
                    reached = s;
                    break;
                }
            }
            plot.series(label, DeepNets.count(gaps.size()), gaps.stream().mapToDouble(Double::doubleValue).toArray());
            rows.add(List.of(label, String.format(Locale.ROOT, "%.3g", kappa), String.format(Locale.ROOT, "%.3g", lr),
                    String.format(Locale.ROOT, "%.3g", predicted), reached < 0 ? "not within " + budget : Integer.toString(reached)));
            lab.verdict(label + " inputs: condition number of the Hessian; gradient-descent steps to a " + EPSILON
                    + " loss gap", String.format(Locale.ROOT, "κ = %.3g; %s", kappa, reached < 0 ? "not within " + budget
                            : reached + " steps"), String.format(Locale.ROOT, "about %.3g steps (κ/4·ln(1/ε))", predicted),
                    reached < 0 ? predicted > budget : reached <= predicted + 1);
        }
        lab.csv("loss_gap.csv", csv);
        lab.figure("loss_gap.png", "Loss gap by step: raw inputs crawl, standardized inputs converge at once",
                f -> plot.write(f, 900, 520));
        lab.table("Gradient descent on the least-squares fit", List.of("inputs", "κ", "step η = 2/(λ_min + λ_max)",
                "predicted steps", "measured steps"), rows);
    }

    /** θ = (w₁, w₂, b) ↦ mean of (w·x + b − y)². */
    private static Function<Tensor, Tensor> meanSquaredError(double[] x, double[] y) {
        NdArray inputs = NdArray.of(x, N, 2);
        NdArray targets = NdArray.of(y, N, 1);
        return theta -> {
            Tensor w = theta.slice(0, 0, 2).reshape(2, 1);
            Tensor b = theta.slice(0, 2, 3);
            return Tensor.of(inputs).matmul(w).add(b).sub(Tensor.of(targets)).pow(2).mean();
        };
    }

    /** Each column of [N, 2] standardized to mean 0 and variance 1. */
    private static double[] standardized(double[] x) {
        double[] z = x.clone();
        for (int j = 0; j < 2; j++) {
            double mean = 0;
            for (int i = 0; i < N; i++) {
                mean += x[2 * i + j] / N;
            }
            double var = 0;
            for (int i = 0; i < N; i++) {
                var += (x[2 * i + j] - mean) * (x[2 * i + j] - mean) / N;
            }
            for (int i = 0; i < N; i++) {
                z[2 * i + j] = (x[2 * i + j] - mean) / Math.sqrt(var);
            }
        }
        return z;
    }

    /** The minimizer of a quadratic: one Newton step from anywhere. */
    private static NdArray newtonStep(Function<Tensor, Tensor> loss, NdArray start) {
        Tensor theta = Tensor.param(start);
        FullBatch.newton(Map.of("theta", theta), Newton.Variant.PLAIN)
                .step(Objective.closure(Map.of("theta", theta), () -> loss.apply(theta)));
        return theta.value();
    }
}
