package descent.cli.lab.experiments;

import descent.autograd.Tensor;
import descent.cli.Hyperparameters;
import descent.cli.OptimizerNames;
import descent.cli.lab.Csv;
import descent.cli.lab.DeepNets;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.lab.NoisyQuadratic;
import descent.cli.plot.LinePlot;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.SplitMix64;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Gradient descent on a quadratic with small, good and too-large steps; SGD with constant and 1/√t steps. */
final class StepSize {

    static final Experiment EXPERIMENT = new Experiment("step-size", "Step size: too small, good, too large",
            "On a quadratic with curvatures λᵢ, gradient descent multiplies the error along each eigenvector by "
            + "1 − ηλᵢ per step. A small η converges slowly; η = 2/(λ_min + λ_max) balances the two directions and "
            + "is the fastest; as η approaches 2/λ_max the steep direction oscillates, and beyond it diverges. "
            + "With noisy gradients a constant step stalls at a noise floor proportional to η, while a decaying "
            + "step η/√t keeps improving.", StepSize::run);

    /** Curvatures of f(x, y) = ½(λ₁x² + λ₂y²). */
    private static final double L1 = 1;
    private static final double L2 = 10;

    private StepSize() {}

    private static void run(Lab lab) throws IOException {
        int steps = lab.size(100, 40);
        double best = 2 / (L1 + L2);
        Map<String, Double> rates = new java.util.LinkedHashMap<>();
        rates.put("small", 0.02);
        rates.put("good", best);
        rates.put("oscillating", 0.195);
        rates.put("diverging", 0.21);
        Csv csv = new Csv("step_size,lr,step,x,y,distance");
        LinePlot plot = new LinePlot("Distance to the minimum, f = ½(x² + 10y²)", "step", "‖θ − θ*‖ (log scale)").logY();
        List<List<String>> rows = new ArrayList<>();
        for (var e : rates.entrySet()) {
            double lr = e.getValue();
            Tensor theta = Tensor.param(NdArray.of(new double[] {1, 1}, 2));
            Optimizer opt = Optimizers.sgd(lr).over(Map.of("t", theta));
            double[] dist = new double[steps + 1];
            dist[0] = Math.sqrt(2);
            for (int s = 1; s <= steps; s++) {
                opt.zeroGrad();
                quadratic(theta).backward();
                opt.step();
                double[] v = theta.value().toDoubleArray();
                dist[s] = Math.hypot(v[0], v[1]);
                csv.row(e.getKey(), lr, s, v[0], v[1], dist[s]);
            }
            double[] x = new double[steps + 1];
            for (int s = 0; s <= steps; s++) {
                x[s] = s;
            }
            plot.series(String.format(Locale.ROOT, "%s, η = %.3g", e.getKey(), lr), x, dist);
            // The slowest direction dominates late: the measured per-step factor over the last 20 steps.
            double measured = Math.pow(dist[steps] / dist[steps - 20], 1.0 / 20);
            double theory = Math.max(Math.abs(1 - lr * L1), Math.abs(1 - lr * L2));
            rows.add(List.of(e.getKey(), Csv.num(lr), Csv.num(measured), Csv.num(theory)));
            lab.verdict(e.getKey() + " step η = " + Csv.num(lr) + ": error factor per step", Csv.num(measured),
                    Csv.num(theory) + " = max|1 − ηλᵢ| (" + (theory > 1 ? "diverges" : "converges") + ")",
                    Math.abs(measured - theory) < 1e-3 * Math.max(1, theory));
        }
        lab.csv("gradient_descent.csv", csv);
        lab.figure("gradient_descent.png", "Gradient descent with four step sizes", f -> plot.write(f, 900, 520));
        lab.table("Per-step error factor", List.of("step size", "η", "measured", "max|1 − ηλᵢ|"), rows);
        noisy(lab);
    }

    private static Tensor quadratic(Tensor theta) {
        Tensor sq = theta.mul(theta);
        return sq.mul(Tensor.of(NdArray.of(new double[] {L1, L2}, 2))).sum().mul(0.5);
    }

    /** SGD on ½‖θ‖² (d dimensions) with gradient noise of standard deviation σ: constant vs 1/√t step. */
    private static void noisy(Lab lab) throws IOException {
        int d = 100;
        double sigma = 1;
        double lr = 0.1;
        int steps = lab.size(4000, 400);
        Csv csv = new Csv("schedule,step,squared_distance");
        LinePlot plot = new LinePlot("SGD with noisy gradients on ½‖θ‖², d = " + d + ", σ = 1", "step",
                "‖θ‖² (log scale)").logY();
        double[] finals = new double[2];
        String[] names = {"constant", "inverse-sqrt"};
        for (int k = 0; k < 2; k++) {
            Tensor theta = Tensor.param(NdArray.ones(DType.FLOAT64, d).mul(3));
            Hyperparameters h = k == 0 ? Hyperparameters.of("lr", Double.toString(lr))
                    : Hyperparameters.of("lr", Double.toString(lr), "schedule", "inverse-sqrt:1");
            Optimizer opt = OptimizerNames.firstOrder("sgd", h).over(Map.of("t", theta));
            NoisyQuadratic problem = new NoisyQuadratic(SplitMix64.derive(lab.seed(), "gradient noise"), sigma);
            double[] sq = new double[steps];
            for (int s = 0; s < steps; s++) {
                sq[s] = problem.step(theta, opt);
                csv.row(names[k], s + 1, sq[s]);
            }
            plot.series(names[k], DeepNets.count(steps), sq);
            finals[k] = DeepNets.tailMean(sq, steps / 10);
        }
        double floor = NoisyQuadratic.floor(d, lr, sigma);
        lab.verdict("constant step: noise floor of ‖θ‖² (mean of the last 10 % of steps)", Csv.num(finals[0]),
                Csv.num(floor) + " = dησ²/(2 − η) ± 15 %", Math.abs(finals[0] / floor - 1) < 0.15);
        lab.verdict("1/√t step: ‖θ‖² at the end, relative to the constant step's floor", Csv.num(finals[1] / finals[0]),
                "< 0.2 (the decaying step keeps averaging the noise away)", finals[1] / finals[0] < 0.2);
        lab.csv("sgd_noise.csv", csv);
        lab.figure("sgd_noise.png", "Constant step vs η/√t with noisy gradients", f -> plot.write(f, 900, 520));
    }
}
