package descent.cli.lab.experiments;

import descent.autograd.Tensor;
import descent.cli.Hyperparameters;
import descent.cli.lab.Csv;
import descent.cli.lab.DeepNets;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.plot.LinePlot;
import descent.data.Batch;
import descent.data.Dataset;
import descent.diagnostics.MeanField;
import descent.diagnostics.SignalPropagation;
import descent.init.FanMode;
import descent.init.Init;
import descent.nn.Activation;
import descent.nn.Losses;
import descent.nn.Mode;
import descent.nn.Sequential;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The notes' 50-layer ReLU network on MNIST with weight variance 1/n, 2/n and 3/n. */
final class InitVariance {

    static final Experiment EXPERIMENT = new Experiment("init-variance",
            "Initialization variance in a 50-layer ReLU network",
            "With weights of variance c/n, a ReLU layer multiplies the second moment of the signal by c/2 (it "
            + "zeroes half of a symmetric input), so activation norms change by √(c/2) per layer: they shrink for "
            + "1/n, stay level for 2/n (Kaiming) and grow for 3/n. The gradient with respect to the activations "
            + "does the mirror image going backward. Weight gradients, products of the two, stay flat across depth "
            + "but at levels (c/2)^((L−1)/2) apart: vanishing for 1/n, exploding for 3/n.", InitVariance::run);

    static final int DEPTH = 50;
    static final int WIDTH = 256;
    private static final int[] C = {1, 2, 3};

    private InitVariance() {}

    private static void run(Lab lab) throws IOException {
        Dataset train = lab.mnist().train();
        int depth = DEPTH;
        int batch = lab.size(512, 128);
        Batch sample = train.batch(0, batch);
        Tensor x = Tensor.of(sample.inputs());
        int[] y = sample.labels();
        Csv norms = new Csv("scheme,layer,activation_norm,activation_gradient_norm,weight_gradient_norm");
        Csv perExample = new Csv("scheme,layer,per_example_weight_gradient_norm");
        LinePlot act = new LinePlot("Activation norm by layer", "layer", "per-example norm (log scale)").logY();
        LinePlot grad = new LinePlot("Norm of the gradient w.r.t. the activations", "layer", "norm (log scale)").logY();
        LinePlot weight = new LinePlot("Norm of the gradient w.r.t. the weights", "layer", "norm (log scale)").logY();
        LinePlot curves = new LinePlot("Training loss", "step", "cross-entropy (log scale)").logY();
        double[] level = new double[C.length];
        double[] finalLoss = new double[C.length];
        int[] divergedAt = new int[C.length];
        List<List<String>> rows = new ArrayList<>();
        int steps = lab.size(300, 10);
        for (int k = 0; k < C.length; k++) {
            int c = C[k];
            String scheme = c + "/n";
            Sequential model = DeepNets.stack(train, depth, WIDTH, Activation.relu(), Init.normalVariance(c, FanMode.FAN_IN),
                    lab.seed());
            List<SignalPropagation.Layer> layers = SignalPropagation.measure(model, x, out -> Losses.crossEntropy(out, y),
                    Mode.EVAL);
            for (SignalPropagation.Layer l : layers) {
                norms.row(scheme, l.index(), l.activationNorm(), l.activationGradientNorm(), l.weightGradientNorm());
                perExample.row(scheme, l.index(), l.perExampleWeightGradientNorm());
            }
            double[] layer = DeepNets.count(depth);
            double[] a = SignalPropagation.column(layers, SignalPropagation.Layer::activationNorm);
            double[] g = SignalPropagation.column(layers, SignalPropagation.Layer::activationGradientNorm);
            double[] w = SignalPropagation.column(layers, SignalPropagation.Layer::weightGradientNorm);
            double[] we = SignalPropagation.column(layers, SignalPropagation.Layer::perExampleWeightGradientNorm);
            act.series(scheme, layer, a);
            grad.series(scheme, layer, g);
            weight.series(scheme, layer, w);
            // Hidden layers only: layer 1 sees the data, the last outputs logits without a ReLU.
            double slope = SignalPropagation.fitLogSlope(a, 1, depth - 1);
            double gradSlope = SignalPropagation.fitLogSlope(g, 1, depth - 1);
            double theory = MeanField.reluSlope(c);
            level[k] = SignalPropagation.geometricMean(we, 1, depth - 1);
            lab.verdict("activation-norm log-slope per layer, " + scheme, Csv.num(slope), Csv.num(theory) + " = ½ln(" + c
                    + "/2) ± 0.03", Math.abs(slope - theory) < 0.03);
            lab.verdict("activation-gradient log-slope per layer, " + scheme, Csv.num(gradSlope), Csv.num(-theory)
                    + " = −½ln(" + c + "/2) ± 0.05", Math.abs(gradSlope + theory) < 0.05);
            double[] losses = DeepNets.train(model, train, "sgd", Hyperparameters.of("lr", "0.01", "momentum", "0.9"),
                    steps, 128, lab.seed());
            curves.series(scheme, DeepNets.count(steps), losses);
            int diverged = DeepNets.divergedAt(losses);
            divergedAt[k] = diverged;
            finalLoss[k] = DeepNets.tailMean(losses, 20);
            rows.add(List.of(scheme, Csv.num(slope), Csv.num(theory), Csv.num(gradSlope),
                    Csv.num(SignalPropagation.fitLogSlope(w, 1, depth - 1)), Csv.num(SignalPropagation.fitLogSlope(we, 1, depth - 1)),
                    Csv.num(SignalPropagation.geometricMean(w, 1, depth - 1)), Csv.num(level[k]),
                    diverged > 0 ? "diverged at step " + diverged : Csv.num(DeepNets.tailMean(losses, 20))));
            lab.log("%s: slopes %.4f (theory %.4f), gradient %.4f; training loss %s", scheme, slope, theory, gradSlope,
                    rows.getLast().getLast());
        }
        for (int k : new int[] {0, 2}) {
            double measured = Math.log(level[k] / level[1]);
            double predicted = (depth - 1) / 2.0 * Math.log(C[k] / 2.0);
            lab.verdict("ln of the per-example weight-gradient level, " + C[k] + "/n over 2/n", Csv.num(measured),
                    Csv.num(predicted) + " = ((L−1)/2)·ln(" + C[k] + "/2) ± 20 %",
                    Math.abs(measured - predicted) < 0.2 * Math.abs(predicted));
        }
        lab.verdict("training: loss after " + steps + " steps for 1/n, 2/n, 3/n", String.format(Locale.ROOT,
                "%.3f, %.3f, %s", finalLoss[0], finalLoss[1], divergedAt[2] > 0 ? "diverged at step " + divergedAt[2]
                        : String.format(Locale.ROOT, "%.3f", finalLoss[2])),
                "1/n stuck near ln 10 = 2.303 (vanishing), 2/n lowest, 3/n unstable",
                Math.abs(finalLoss[0] - Math.log(10)) < 0.05 && finalLoss[1] < finalLoss[0]
                        && (divergedAt[2] > 0 || finalLoss[2] > finalLoss[1]));
        lab.csv("layer_norms.csv", norms);
        lab.csv("per_example_weight_gradients.csv", perExample);
        lab.figure("activation_norms.png", "Per-example activation norm by layer: slopes ½ln(c/2) per layer",
                f -> act.write(f, 900, 520));
        lab.figure("activation_gradient_norms.png", "Gradient w.r.t. the activations: the mirror image",
                f -> grad.write(f, 900, 520));
        lab.figure("weight_gradient_norms.png", "Gradient w.r.t. the weights: nearly flat, levels apart by (c/2)^((L−1)/2)",
                f -> weight.write(f, 900, 520));
        lab.figure("training_loss.png", String.format(Locale.ROOT, "Training loss, SGD lr 0.01 momentum 0.9, batch 128, "
                + "%d steps", steps), f -> curves.write(f, 900, 520));
        lab.table("Fitted log-slopes per layer (hidden layers) and levels", List.of("scheme", "activation slope",
                "theory", "act. gradient slope", "weight gradient slope", "per-example slope", "weight gradient level",
                "per-example level", "final training loss"), rows);
        lab.text("The batch weight gradient sums the examples' gradients δ·aᵀ; ReLU networks make the examples' hidden "
                + "vectors more alike with depth, so that sum grows more coherent and its norm drifts across depth. "
                + "Theory speaks of each example's own gradient, whose norm ‖δ‖·‖a‖ is in "
                + "per_example_weight_gradients.csv and is flat: the forward signal reaching layer l has been scaled "
                + "l−1 times by √(c/2) and the gradient coming back L−l times, (L−1) in all.");
    }
}
