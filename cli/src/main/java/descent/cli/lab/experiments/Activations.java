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
import descent.diagnostics.TensorStats;
import descent.init.FanMode;
import descent.init.Init;
import descent.nn.Activation;
import descent.nn.Losses;
import descent.nn.Mode;
import descent.nn.Sequential;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sigmoid, tanh and ReLU in the same deep network: how the gradient travels back, and how each trains. */
final class Activations {

    static final Experiment EXPERIMENT = new Experiment("activations", "Sigmoid, tanh and ReLU in a deep network",
            "Backpropagation multiplies the gradient by each layer's derivative. The sigmoid's derivative is at "
            + "most ¼, so in a deep sigmoid network the gradient reaching the first layers vanishes and they "
            + "barely learn. Tanh (derivative up to 1) loses less, and ReLU (derivative 1 where active) with "
            + "Kaiming initialization keeps the gradient level. Each network here uses the initializer gain "
            + "recommended for its activation (variance gain²/n), so the difference is the activation's. "
            + "Mean-field theory predicts the per-layer factor √(c·E[φ'(z)²]).", Activations::run);

    static final int DEPTH = 20;
    static final int WIDTH = 256;

    private Activations() {}

    private static void run(Lab lab) throws IOException {
        Dataset train = lab.mnist().train();
        int batch = lab.size(512, 128);
        Batch sample = train.batch(0, batch);
        Tensor x = Tensor.of(sample.inputs());
        int[] y = sample.labels();
        int steps = lab.size(400, 10);
        LinePlot grads = new LinePlot("Gradient w.r.t. the activations, by layer", "layer", "norm (log scale)").logY();
        LinePlot curves = new LinePlot("Training loss (SGD lr 0.01, momentum 0.9)", "step", "cross-entropy").logY();
        Csv csv = new Csv("activation,layer,activation_norm,activation_gradient_norm,weight_gradient_norm,"
                + "predicted_activation_gradient_norm");
        List<List<String>> rows = new ArrayList<>();
        Map<String, double[]> ratioAndLoss = new LinkedHashMap<>();
        for (Activation act : List.of(Activation.sigmoid(), Activation.tanh(), Activation.relu())) {
            double c = act.gain() * act.gain();
            Sequential model = DeepNets.stack(train, DEPTH, WIDTH, act, Init.kaimingNormal(FanMode.FAN_IN, act.gain()),
                    lab.seed());
            List<SignalPropagation.Layer> layers = SignalPropagation.measure(model, x, out -> Losses.crossEntropy(out, y),
                    Mode.EVAL);
            // The first layer's pre-activation variance: c times the mean square of the (standardized) input.
            Tensor standardized = model.get(0).forward(x, Mode.EVAL);
            double q1 = c * Math.pow(TensorStats.of(standardized.value()).norm(), 2) / standardized.size();
            MeanField.Prediction p = MeanField.predict(act, c, q1, DEPTH);
            double[] g = SignalPropagation.column(layers, SignalPropagation.Layer::activationGradientNorm);
            // Predicted norms, anchored at the last hidden layer and followed back toward the input.
            double[] predicted = new double[DEPTH];
            predicted[DEPTH - 2] = g[DEPTH - 2];
            for (int l = DEPTH - 3; l >= 0; l--) {
                predicted[l] = predicted[l + 1] / Math.exp(p.activationGradientSlope()[l]);
            }
            predicted[DEPTH - 1] = Double.NaN;
            for (SignalPropagation.Layer l : layers) {
                csv.row(act.name(), l.index(), l.activationNorm(), l.activationGradientNorm(), l.weightGradientNorm(),
                        predicted[l.index() - 1]);
            }
            grads.series(act.name(), DeepNets.count(DEPTH), g);
            grads.series(act.name() + " (mean-field)", DeepNets.count(DEPTH), predicted);
            double measuredRatio = g[0] / g[DEPTH - 2];
            double predictedRatio = predicted[0] / predicted[DEPTH - 2];
            double logError = Math.abs(Math.log(measuredRatio) - Math.log(predictedRatio));
            lab.verdict(act.name() + ": gradient at layer 1 over gradient at layer " + (DEPTH - 1), Csv.num(measuredRatio),
                    Csv.num(predictedRatio) + " (mean-field), within a factor of 3", logError < Math.log(3));
            double[] losses = DeepNets.train(model, train, "sgd", Hyperparameters.of("lr", "0.01", "momentum", "0.9"),
                    steps, 128, lab.seed());
            curves.series(act.name(), DeepNets.count(steps), losses);
            double finalLoss = DeepNets.tailMean(losses, 20);
            ratioAndLoss.put(act.name(), new double[] {measuredRatio, finalLoss});
            rows.add(List.of(act.name(), Csv.num(c), Csv.num(measuredRatio), Csv.num(predictedRatio), Csv.num(finalLoss)));
        }
        double sigmoidRatio = ratioAndLoss.get("Sigmoid")[0];
        double reluRatio = ratioAndLoss.get("ReLU")[0];
        lab.verdict("sigmoid's gradient vanishes toward the input, ReLU's does not",
                "layer-1/layer-" + (DEPTH - 1) + " ratios " + Csv.num(sigmoidRatio) + " (sigmoid), " + Csv.num(reluRatio)
                        + " (ReLU)", "sigmoid < 0.01, ReLU between 0.3 and 3",
                sigmoidRatio < 0.01 && reluRatio > 0.3 && reluRatio < 3);
        double sigmoidLoss = ratioAndLoss.get("Sigmoid")[1];
        double reluLoss = ratioAndLoss.get("ReLU")[1];
        lab.verdict("final training loss, sigmoid vs ReLU", Csv.num(sigmoidLoss) + " vs " + Csv.num(reluLoss),
                "ReLU lower (sigmoid's early layers barely learn)", reluLoss < sigmoidLoss);
        lab.csv("layer_norms.csv", csv);
        lab.figure("gradient_norms.png", "Gradient norm by layer, measured and as mean-field theory predicts",
                f -> grads.write(f, 900, 520));
        lab.figure("training_loss.png", "Training loss of the three " + DEPTH + "-layer networks",
                f -> curves.write(f, 900, 520));
        lab.table("Gradient ratio across depth and training", List.of("activation", "c = gain²",
                "layer-1 / layer-" + (DEPTH - 1) + " gradient", "mean-field", "final training loss"), rows);
    }
}
