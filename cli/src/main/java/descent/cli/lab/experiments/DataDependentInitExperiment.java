package descent.cli.lab.experiments;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.cli.Hyperparameters;
import descent.cli.lab.Csv;
import descent.cli.lab.DeepNets;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.plot.LinePlot;
import descent.data.Dataset;
import descent.init.FanMode;
import descent.init.Init;
import descent.nn.Activation;
import descent.nn.DataDependentInit;
import descent.nn.Linear;
import descent.nn.Mode;
import descent.nn.Module;
import descent.nn.Sequential;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The 50-layer ReLU network of init-variance with weight variance 1/n, rescued by data-dependent initialization. */
final class DataDependentInitExperiment {

    static final Experiment EXPERIMENT = new Experiment("data-dependent-init",
            "Data-dependent initialization rescues a vanishing 50-layer network",
            "With weight variance 1/n each ReLU layer multiplies the signal's second moment by ½, so after 50 layers "
            + "the activations have all but vanished and SGD barely moves the loss. The notes: \"by repeatedly "
            + "identifying the first layer with unacceptably small activations and increasing its weights, it is "
            + "possible to eventually obtain a network with reasonable initial activations throughout\" (LSUV, Mishkin "
            + "& Matas 2015, does it to unit variance). Here every Linear layer is rescaled, input side first, until "
            + "its output has std 1 on a batch of training images; the same network then trains.",
            DataDependentInitExperiment::run);

    private DataDependentInitExperiment() {}

    private static void run(Lab lab) throws IOException {
        Dataset train = lab.mnist().train();
        int depth = lab.size(InitVariance.DEPTH, 12);
        int batch = lab.size(512, 32);
        Tensor initBatch = Tensor.of(train.batch(0, batch).inputs());
        Tensor heldOut = Tensor.of(train.batch(batch, 2 * batch).inputs());
        Sequential plain = DeepNets.stack(train, depth, InitVariance.WIDTH, Activation.relu(),
                Init.normalVariance(1, FanMode.FAN_IN), lab.seed());
        Sequential rescued = DeepNets.stack(train, depth, InitVariance.WIDTH, Activation.relu(),
                Init.normalVariance(1, FanMode.FAN_IN), lab.seed());
        double[] before = linearStds(plain, initBatch);
        long start = System.nanoTime();
        DataDependentInit.Report report = DataDependentInit.apply(rescued, initBatch, DataDependentInit.Settings.unitStd());
        lab.log("rescaled %d layers on %d examples in %.1f s", report.layers().size(), batch,
                (System.nanoTime() - start) / 1e9);
        double[] after = linearStds(rescued, initBatch);
        double[] other = linearStds(rescued, heldOut);

        Csv stds = new Csv("layer,std_before,std_after,std_after_held_out,rescalings");
        double worst = 0;
        double worstHeldOut = 0;
        for (int i = 0; i < depth; i++) {
            stds.row(i + 1, before[i], after[i], other[i], report.layers().get(i).iterations());
            worst = Math.max(worst, Math.abs(after[i] - 1));
            worstHeldOut = Math.max(worstHeldOut, Math.abs(other[i] - 1));
        }
        lab.verdict("std of the last layer's output, variance 1/n as drawn", Csv.num(before[depth - 1]),
                "vanishing: below 1e-3 (√½ per ReLU layer)", before[depth - 1] < 1e-3);
        lab.verdict("std of the last layer's output after rescaling", Csv.num(after[depth - 1]), "1 ± 0.05 (the target)",
                Math.abs(after[depth - 1] - 1) <= 0.05);
        lab.verdict("largest |std − 1| over the " + depth + " layers, on the batch", Csv.num(worst), "≤ 0.05 at every layer",
                worst <= 0.05);
        lab.verdict("largest |std − 1| over the " + depth + " layers, on " + batch + " other training images", Csv.num(worstHeldOut),
                "≤ 0.2: the scale is a property of the data, not of the batch", worstHeldOut <= 0.2);

        int steps = lab.size(150, 3);
        Hyperparameters sgd = Hyperparameters.of("lr", "0.01", "momentum", "0.9");
        int trainBatch = lab.size(128, 32);
        double[] plainLoss = DeepNets.train(plain, train, "sgd", sgd, steps, trainBatch, lab.seed());
        double[] rescuedLoss = DeepNets.train(rescued, train, "sgd", sgd, steps, trainBatch, lab.seed());
        int tail = Math.min(20, steps);
        double plainFinal = DeepNets.tailMean(plainLoss, tail);
        double rescuedFinal = DeepNets.tailMean(rescuedLoss, tail);
        int diverged = DeepNets.divergedAt(rescuedLoss);
        lab.verdict("training loss, mean of the last " + tail + " of " + steps + " steps: 1/n vs 1/n rescaled",
                String.format(Locale.ROOT, "%.3f vs %s", plainFinal, diverged > 0 ? "diverged at step " + diverged
                        : String.format(Locale.ROOT, "%.3f", rescuedFinal)),
                "1/n stuck within 0.05 of ln 10 = 2.303 (chance); rescaled at least 0.3 below it",
                Math.abs(plainFinal - Math.log(10)) < 0.05 && diverged == 0 && rescuedFinal < Math.log(10) - 0.3);

        Csv losses = new Csv("step,loss_variance_1_over_n,loss_rescaled");
        for (int s = 0; s < steps; s++) {
            losses.row(s + 1, plainLoss[s], rescuedLoss[s]);
        }
        lab.csv("layer_stds.csv", stds);
        lab.csv("training_loss.csv", losses);
        double[] layer = DeepNets.count(depth);
        LinePlot act = new LinePlot("Std of each Linear layer's output", "layer", "std (log scale)").logY();
        act.series("variance 1/n", layer, before);
        act.series("rescaled, its batch", layer, after);
        act.series("rescaled, other images", layer, other);
        lab.figure("layer_stds.png", "Output std by layer: vanishing as drawn, 1 at every layer after rescaling",
                f -> act.write(f, 900, 520));
        LinePlot curves = new LinePlot("Training loss", "step", "cross-entropy (log scale)").logY();
        curves.series("variance 1/n", DeepNets.count(steps), plainLoss);
        curves.series("rescaled from data", DeepNets.count(steps), rescuedLoss);
        lab.figure("training_loss.png", String.format(Locale.ROOT, "Training loss, SGD lr 0.01 momentum 0.9, batch %d, "
                + "%d steps, the same weights before rescaling and the same data order", trainBatch, steps), f -> curves.write(f, 900, 520));
        List<List<String>> rows = new ArrayList<>();
        for (int i : new int[] {0, 1, depth / 5, depth / 2, depth - 2, depth - 1}) {
            DataDependentInit.Layer l = report.layers().get(i);
            rows.add(List.of(Integer.toString(i + 1), l.name(), Csv.num(before[i]), Csv.num(after[i]), Csv.num(other[i]),
                    Integer.toString(l.iterations())));
        }
        lab.table("Output std of some layers (all in layer_stds.csv)", List.of("layer", "module", "as drawn",
                "rescaled", "rescaled, other images", "rescalings"), rows);
        lab.text("Each layer's weights and bias are multiplied by target / std, so its output is exactly rescaled once "
                + "the layers before it are done: one rescaling per layer, input side first. The factor for layer l is "
                + "close to √2 (undoing ReLU's halving), so the rescaled network is nearly the Kaiming (2/n) network of "
                + "init-variance, found from the data rather than from the activation's formula.");
    }

    /** The std of every Linear layer's output on {@code x}, input side first. */
    private static double[] linearStds(Module model, Tensor x) {
        List<Double> out = new ArrayList<>();
        try (var _ = GradMode.noGrad()) {
            model.forward(x, Mode.EVAL, (name, module, output) -> {
                if (module instanceof Linear) {
                    double[] v = output.value().toDoubleArray();
                    double mean = 0;
                    for (double a : v) {
                        mean += a;
                    }
                    mean /= v.length;
                    double sq = 0;
                    for (double a : v) {
                        sq += (a - mean) * (a - mean);
                    }
                    out.add(Math.sqrt(sq / v.length));
                }
            });
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
