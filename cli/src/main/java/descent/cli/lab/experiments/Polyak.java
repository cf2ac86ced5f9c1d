package descent.cli.lab.experiments;

import descent.autograd.Tensor;
import descent.cli.lab.Csv;
import descent.cli.lab.DeepNets;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.lab.NoisyQuadratic;
import descent.cli.plot.LinePlot;
import descent.optim.Averaging;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.SplitMix64;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** SGD on a noisy problem with and without Polyak (uniform) and exponential averaging of the iterates. */
final class Polyak {

    static final Experiment EXPERIMENT = new Experiment("polyak", "Polyak and exponential averaging",
            "With a constant step, SGD on a noisy problem does not converge: it jitters around the minimum with a "
            + "spread set by the step size and the noise. Averaging the iterates cancels the jitter. Polyak "
            + "averaging takes the mean of all iterates after a burn-in, and its error keeps falling like 1/T; "
            + "the exponential average weights recent iterates more, following a moving optimum but keeping a "
            + "floor of its own. The problem is ½‖θ‖² in 100 dimensions with unit Gaussian gradient noise.",
            Polyak::run);

    private static final int D = 100;
    private static final double LR = 0.1;
    private static final double SIGMA = 1;
    private static final double DECAY = 0.99;

    private Polyak() {}

    private static void run(Lab lab) throws IOException {
        int steps = lab.size(5000, 1000);
        int burnIn = steps / 10;
        Tensor theta = Tensor.param(NdArray.ones(DType.FLOAT64, D).mul(3));
        Map<String, Tensor> params = Map.of("theta", theta);
        Optimizer opt = Optimizers.sgd(LR).over(params);
        Averaging polyak = Averaging.polyak(params, burnIn);
        Averaging ema = Averaging.exponential(params, DECAY);
        NoisyQuadratic problem = new NoisyQuadratic(SplitMix64.derive(lab.seed(), "gradient noise"), SIGMA);
        Csv csv = new Csv("step,sgd,polyak,exponential");
        double[][] series = new double[3][steps];
        for (int s = 0; s < steps; s++) {
            series[0][s] = problem.step(theta, opt);
            polyak.update();
            ema.update();
            series[1][s] = polyak.average("theta") == null ? Double.NaN : NoisyQuadratic.squaredNorm(polyak.average("theta"));
            series[2][s] = NoisyQuadratic.squaredNorm(ema.average("theta"));
            csv.row(s + 1, series[0][s], series[1][s], series[2][s]);
        }
        LinePlot plot = new LinePlot("Squared distance to the minimum", "step", "‖θ‖² (log scale)").logY();
        plot.series("SGD iterate", DeepNets.count(steps), series[0]);
        plot.series("Polyak average (after " + burnIn + " steps)", DeepNets.count(steps), series[1]);
        plot.series("exponential average (decay " + DECAY + ")", DeepNets.count(steps), series[2]);
        lab.csv("distances.csv", csv);
        lab.figure("distances.png", "The averaged iterates are much closer to the minimum than the iterate itself",
                f -> plot.write(f, 900, 520));
        double sgd = DeepNets.tailMean(series[0], steps / 10);
        double floor = NoisyQuadratic.floor(D, LR, SIGMA);
        // Averaging T iterates of θ ← (1−η)θ − ηξ leaves about dσ²/T: the noise, averaged over T gradients.
        int averaged = steps - burnIn;
        double polyakTheory = D * SIGMA * SIGMA / averaged;
        // An exponential average of an AR(1) sequence with coefficient ρ = 1 − η keeps the share
        // (1 − β)(1 + βρ) / ((1 + β)(1 − βρ)) of its variance.
        double rho = 1 - LR;
        double emaTheory = floor * (1 - DECAY) * (1 + DECAY * rho) / ((1 + DECAY) * (1 - DECAY * rho));
        double emaMeasured = DeepNets.tailMean(series[2], steps / 2);
        lab.verdict("SGD iterate: ‖θ‖² in the last 10 % of steps", Csv.num(sgd), Csv.num(floor) + " = dησ²/(2 − η) ± 15 %",
                Math.abs(sgd / floor - 1) < 0.15);
        lab.verdict("Polyak average of " + averaged + " iterates: final ‖θ̄‖²", Csv.num(series[1][steps - 1]),
                Csv.num(polyakTheory) + " = dσ²/T, within a factor of 2", Math.abs(Math.log(series[1][steps - 1] / polyakTheory)) < Math.log(2));
        lab.verdict("exponential average: ‖θ̄‖², mean over the second half", Csv.num(emaMeasured), Csv.num(emaTheory)
                + " (AR(1) theory) ± 25 %", Math.abs(emaMeasured / emaTheory - 1) < 0.25);
        lab.table("Squared distance to the minimum", List.of("iterate", "‖θ‖²", "theory"), List.of(
                List.of("SGD (last 10 %)", Csv.num(sgd), Csv.num(floor)),
                List.of("Polyak (final)", Csv.num(series[1][steps - 1]), Csv.num(polyakTheory)),
                List.of("exponential (second half)", Csv.num(emaMeasured), Csv.num(emaTheory))));
    }
}
