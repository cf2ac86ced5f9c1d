package descent.cli.lab.experiments;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.cli.Hyperparameters;
import descent.cli.lab.Csv;
import descent.cli.lab.DeepNets;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.lab.MnistRun;
import descent.cli.plot.LinePlot;
import descent.data.Dataset;
import descent.data.Mnist;
import descent.init.FanMode;
import descent.init.Init;
import descent.init.Initializer;
import descent.nn.Activation;
import descent.nn.Flatten;
import descent.nn.Linear;
import descent.nn.Mode;
import descent.nn.Sequential;
import descent.train.Evaluation;
import descent.train.LossFunction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Sparse initialization (Martens, 2010) against dense initialization of the same scale in a deep ReLU network. */
final class SparseInit {

    static final Experiment EXPERIMENT = new Experiment("sparse-init",
            "Sparse initialization against dense initialization of the same scale",
            "The notes: with standard deviation 1/√m \"the weights end up being small when a layer has too many "
            + "input units\"; sparse initialization (Martens 2010) gives each unit exactly k non-zero weights, so that "
            + "the total input to a unit does not depend on m. \"However, it takes a long time for GD to correct "
            + "incorrect large values and hence, this initialization might cause problems.\" Here a 20-layer ReLU "
            + "network gets k = 15 non-zero weights per unit from N(0, 2/k), or dense weights from N(0, 2/m) (Kaiming): "
            + "the same expected input per unit. The sparse weights do not shrink with m, but each unit's scale "
            + "now rests on 15 inputs, so units differ far more in scale, and the network trains no better for it.",
            SparseInit::run);

    static final int DEPTH = 20;
    static final int WIDTH = 256;
    static final int K = 15;

    private SparseInit() {}

    /** A unit's pre-activation std over the batch, for every unit of every Linear layer. */
    private record Scales(List<double[]> perLayer) {}

    private static void run(Lab lab) throws IOException {
        Mnist.Splits data = lab.mnist();
        Dataset train = data.train();
        Tensor x = Tensor.of(train.batch(0, lab.size(1024, 64)).inputs());
        Dataset test = MnistRun.subset(data.test(), lab.size(10000, 200), lab.seed());
        int depth = lab.size(DEPTH, 6);
        Initializer dense = Init.normalVariance(2, FanMode.FAN_IN);
        Initializer sparse = Init.sparse(K, Math.sqrt(2.0 / K));
        String[] names = {"dense N(0, 2/m)", "sparse k=15, N(0, 2/k)"};
        Initializer[] inits = {dense, sparse};

        Csv units = new Csv("scheme,layer,unit,pre_activation_std");
        Csv layerCsv = new Csv("scheme,layer,fan_in,rms_nonzero_weight,spread_ln_unit_std,constant_units");
        LinePlot spreadPlot = new LinePlot("Spread of unit scales by layer", "layer",
                "std over units of ln(unit pre-activation std)");
        double[][] rmsWeight = new double[2][];
        double[][] spread = new double[2][];
        double[][] constant = new double[2][];
        for (int s = 0; s < 2; s++) {
            Sequential net = DeepNets.stack(train, depth, WIDTH, Activation.relu(), inits[s], lab.seed());
            List<Linear> linears = net.layers().stream().filter(m -> m instanceof Linear).map(m -> (Linear) m).toList();
            Scales scales = unitScales(net, x);
            rmsWeight[s] = new double[depth];
            spread[s] = new double[depth];
            constant[s] = new double[depth];
            for (int l = 0; l < depth; l++) {
                double[] std = scales.perLayer().get(l);
                for (int u = 0; u < std.length; u++) {
                    units.row(names[s], l + 1, u, std[u]);
                }
                rmsWeight[s][l] = rmsNonZero(linears.get(l).weight().value().toDoubleArray());
                spread[s][l] = spreadOfLogs(std);
                constant[s][l] = constantFraction(std);
                layerCsv.row(names[s], l + 1, linears.get(l).inFeatures(), rmsWeight[s][l], spread[s][l], constant[s][l]);
            }
            // The last layer's 10 logits are too few units for a spread.
            spreadPlot.series(names[s], DeepNets.count(depth - 1), java.util.Arrays.copyOf(spread[s], depth - 1));
        }
        double denseRatio = rmsWeight[0][0] / rmsWeight[0][1];
        double sparseRatio = rmsWeight[1][0] / rmsWeight[1][1];
        lab.verdict("typical non-zero weight, layer 1 (m = 784) over layer 2 (m = 256): dense, sparse",
                String.format(Locale.ROOT, "%.3f, %.3f", denseRatio, sparseRatio),
                "dense √(256/784) = 0.571 ± 5 % (small when m is large); sparse 1 ± 5 % (independent of m)",
                Math.abs(denseRatio / Math.sqrt(256.0 / 784) - 1) < 0.05 && Math.abs(sparseRatio - 1) < 0.05);
        int mid = depth / 2 - 1;
        double denseSpread = meanOver(spread[0], 1, depth - 1);
        double sparseSpread = meanOver(spread[1], 1, depth - 1);
        lab.verdict("spread of unit pre-activation scales (std over units of ln std), mean over hidden layers 2–"
                        + (depth - 1) + ": sparse vs dense",
                String.format(Locale.ROOT, "%.3f vs %.3f", sparseSpread, denseSpread),
                "at least 1.5 times as wide with sparse: a unit sums k = 15 inputs, not m = 256",
                sparseSpread > 1.5 * denseSpread);

        int steps = lab.size(300, 3);
        int seeds = lab.size(3, 1);
        Hyperparameters sgd = Hyperparameters.of("lr", "0.01", "momentum", "0.9");
        LinePlot curves = new LinePlot("Training loss (seed " + lab.seed() + ")", "step", "cross-entropy (log scale)").logY();
        Csv lossCsv = new Csv("scheme,seed,step,loss");
        double[][] finalLoss = new double[2][seeds];
        double[][] testAcc = new double[2][seeds];
        for (int s = 0; s < 2; s++) {
            for (int r = 0; r < seeds; r++) {
                long seed = lab.seed() + r;
                Sequential net = DeepNets.stack(train, depth, WIDTH, Activation.relu(), inits[s], seed);
                double[] losses = DeepNets.train(net, train, "sgd", sgd, steps, 128, seed);
                for (int i = 0; i < steps; i++) {
                    lossCsv.row(names[s], seed, i + 1, losses[i]);
                }
                if (r == 0) {
                    curves.series(names[s], DeepNets.count(steps), losses);
                }
                finalLoss[s][r] = DeepNets.tailMean(losses, Math.min(20, steps));
                testAcc[s][r] = Evaluation.of(new Sequential(new Flatten(), net), test, LossFunction.crossEntropy(), 1000).accuracy();
                lab.log("%s, seed %d: final training loss %.4f, test accuracy %.2f%%", names[s], seed, finalLoss[s][r],
                        100 * testAcc[s][r]);
            }
        }
        double[] paired = new double[seeds];
        for (int r = 0; r < seeds; r++) {
            paired[r] = finalLoss[1][r] - finalLoss[0][r];
        }
        lab.verdict("training loss after " + steps + " SGD steps, sparse − dense (same seed), mean ± std of " + seeds
                        + " seeds", String.format(Locale.ROOT, "%.4f ± %.4f", mean(paired), std(paired)),
                "no lower with sparse beyond one std: no gain (the notes: it \"might cause problems\")",
                mean(paired) > -std(paired));
        lab.csv("layers.csv", layerCsv);
        lab.csv("unit_scales.csv", units);
        lab.csv("training_loss.csv", lossCsv);
        lab.figure("unit_scale_spread.png", "How much units' pre-activation scales differ, layer by layer",
                f -> spreadPlot.write(f, 900, 520));
        lab.figure("training_loss.png", String.format(Locale.ROOT, "Training loss, SGD lr 0.01 momentum 0.9, batch 128, %d "
                + "steps", steps), f -> curves.write(f, 900, 520));
        List<List<String>> rows = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            rows.add(List.of(names[s], Csv.num(rmsWeight[s][0]), Csv.num(rmsWeight[s][1]), Csv.num(spread[s][mid]),
                    String.format(Locale.ROOT, "%.1f %%", 100 * meanOver(constant[s], 0, depth - 1)),
                    String.format(Locale.ROOT, "%.4f ± %.4f", mean(finalLoss[s]), std(finalLoss[s])),
                    String.format(Locale.ROOT, "%.2f %%", 100 * mean(testAcc[s]))));
        }
        lab.table("Weights, unit scales and training", List.of("scheme", "rms non-zero weight, layer 1",
                "layer 2", "spread of ln unit std, layer " + (mid + 1), "constant hidden units", "final training loss",
                "test accuracy"), rows);
        lab.text("The notes' warning, that gradient descent is slow to correct the large sparse weights, would show as "
                + "a higher training loss for sparse; at this budget the two are within the seeds' spread: sparse "
                + "initialization neither helps nor visibly hurts this ReLU network, whose dense Kaiming weights "
                + "already give every layer the right scale.");
        lab.text("A constant unit gives the same pre-activation for every image of the batch: with sparse weights it "
                + "happens when all of a unit's k inputs are background pixels (layer 1) or dead units.");
    }

    /** Each Linear layer's output std per unit, over the rows of {@code x}. */
    private static Scales unitScales(Sequential net, Tensor x) {
        List<double[]> out = new ArrayList<>();
        try (var _ = GradMode.noGrad()) {
            net.forward(x, Mode.EVAL, (name, module, output) -> {
                if (module instanceof Linear) {
                    int rows = output.dim(0);
                    int cols = output.dim(1);
                    double[] v = output.value().toDoubleArray();
                    double[] std = new double[cols];
                    for (int c = 0; c < cols; c++) {
                        double mean = 0;
                        for (int r = 0; r < rows; r++) {
                            mean += v[r * cols + c];
                        }
                        mean /= rows;
                        double sq = 0;
                        for (int r = 0; r < rows; r++) {
                            double d = v[r * cols + c] - mean;
                            sq += d * d;
                        }
                        std[c] = Math.sqrt(sq / rows);
                    }
                    out.add(std);
                }
            });
        }
        return new Scales(out);
    }

    private static double rmsNonZero(double[] w) {
        double sq = 0;
        int n = 0;
        for (double v : w) {
            if (v != 0) {
                sq += v * v;
                n++;
            }
        }
        return Math.sqrt(sq / n);
    }

    /** The std over units of ln(unit std), constant units (std 0) left out. */
    private static double spreadOfLogs(double[] std) {
        List<Double> logs = new ArrayList<>();
        for (double s : std) {
            if (s > 0) {
                logs.add(Math.log(s));
            }
        }
        return std(logs.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double constantFraction(double[] std) {
        int n = 0;
        for (double s : std) {
            if (s == 0) {
                n++;
            }
        }
        return (double) n / std.length;
    }

    private static double meanOver(double[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return s / (to - from);
    }

    static double mean(double[] v) {
        return meanOver(v, 0, v.length);
    }

    /** The sample standard deviation (0 for a single value). */
    static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double a : v) {
            s += (a - m) * (a - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
