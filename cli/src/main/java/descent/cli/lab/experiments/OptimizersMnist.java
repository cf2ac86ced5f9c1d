package descent.cli.lab.experiments;

import descent.cli.lab.DeepNets;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.lab.MnistRun;
import descent.cli.plot.LinePlot;
import descent.data.Dataset;
import descent.data.Mnist;
import descent.nn.Mlp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The first-order family training the same MLP on MNIST from the same start. */
final class OptimizersMnist {

    static final Experiment EXPERIMENT = new Experiment("optimizers-mnist", "First-order optimizers on MNIST",
            "Plain SGD follows the noisy gradient; momentum and Nesterov average it over steps and move faster "
            + "along consistent directions; AdaGrad, RMSProp, AdaDelta and Adam scale each parameter's step by its "
            + "gradient history. Each runs here with its usual learning rate, from the same initial weights and the "
            + "same batches.", OptimizersMnist::run);

    private static final Mlp.Spec SPEC = Mlp.Spec.of(784, 128, 10);

    private OptimizersMnist() {}

    private static List<MnistRun> runs(int epochs) {
        return List.of(
                MnistRun.of("sgd", SPEC, "sgd", epochs, "lr", "0.05"),
                MnistRun.of("momentum", SPEC, "momentum", epochs, "lr", "0.05", "momentum", "0.9"),
                MnistRun.of("nesterov", SPEC, "nesterov", epochs, "lr", "0.05", "momentum", "0.9"),
                MnistRun.of("adagrad", SPEC, "adagrad", epochs, "lr", "0.05"),
                MnistRun.of("rmsprop", SPEC, "rmsprop", epochs, "lr", "0.001"),
                MnistRun.of("adadelta", SPEC, "adadelta", epochs, "lr", "1.0"),
                MnistRun.of("adam", SPEC, "adam", epochs, "lr", "0.001"));
    }

    private static void run(Lab lab) throws IOException {
        Mnist.Splits data = lab.mnist();
        Dataset train = MnistRun.subset(data.train(), lab.size(60000, 60000), lab.seed());
        int epochs = lab.size(3, 1);
        List<MnistRun.Result> results = new ArrayList<>();
        for (MnistRun run : runs(epochs)) {
            results.add(run.train(lab, train, null, data.test()));
        }
        LinePlot steps = new LinePlot("Training loss per step (moving average of 50)", "step", "cross-entropy").logY();
        for (MnistRun.Result r : results) {
            steps.series(r.run().label(), DeepNets.count(r.stepLoss().length), movingAverage(r.stepLoss(), 50));
        }
        lab.figure("step_loss.png", "Training loss per step", f -> steps.write(f, 900, 520));
        MnistRun.report(lab, "", results);
        double sgd = results.get(0).test().accuracy();
        double momentum = results.get(1).test().accuracy();
        double worst = results.stream().mapToDouble(r -> r.test().accuracy()).min().orElseThrow();
        lab.verdict("lowest test accuracy of the seven after " + epochs + " epochs", MnistRun.pct(worst) + " %",
                "> 90 % (every method trains this network)", worst > 0.9);
        double sgdLoss = DeepNets.tailMean(results.get(0).stepLoss(), 100);
        double momentumLoss = DeepNets.tailMean(results.get(1).stepLoss(), 100);
        lab.verdict("training loss over the last 100 steps, momentum vs plain SGD at the same lr",
                String.format(Locale.ROOT, "%.4f vs %.4f (test accuracy %s vs %s %%)", momentumLoss, sgdLoss,
                        MnistRun.pct(momentum), MnistRun.pct(sgd)), "lower with momentum", momentumLoss < sgdLoss);
    }

    static double[] movingAverage(double[] v, int window) {
        double[] out = new double[v.length];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            sum += v[i];
            if (i >= window) {
                sum -= v[i - window];
            }
            out[i] = sum / Math.min(i + 1, window);
        }
        return out;
    }
}
