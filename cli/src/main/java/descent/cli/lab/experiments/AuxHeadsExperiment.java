package descent.cli.lab.experiments;

import descent.autograd.Tensor;
import descent.cli.lab.Csv;
import descent.cli.lab.DeepNets;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.lab.MnistRun;
import descent.cli.lab.SeedStats;
import descent.cli.plot.LinePlot;
import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.Mnist;
import descent.data.Samplers;
import descent.diagnostics.TensorStats;
import descent.nn.Activation;
import descent.nn.Classifier;
import descent.nn.Mlp;
import descent.nn.Standardize;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.tensor.DType;
import descent.train.AuxiliaryHeads;
import descent.train.Callback;
import descent.train.EpochMetrics;
import descent.train.Evaluation;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import descent.train.Trainer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A deep sigmoid MLP trained with and without GoogLeNet's auxiliary heads on two intermediate layers. */
final class AuxHeadsExperiment {

    static final Experiment EXPERIMENT = new Experiment("aux-heads", "Auxiliary heads",
            "GoogLeNet attached copies of the output to intermediate layers, so that a larger gradient reaches the "
            + "lower layers; their losses are added with a weight (0.3) during training and the heads are removed "
            + "afterwards. Here a deep sigmoid MLP (8 hidden layers of 64; the sigmoid's derivative is at most 1/4, "
            + "so the gradient fades on its way down) is trained on an MNIST subset with and without Linear heads after its "
            + "3rd and 6th hidden layers, from the same initial weights and data order, over several seeds. The "
            + "first verdict compares the gradient norm of the lowest layer's weights over the first epoch; the "
            + "second, the test accuracy of the network alone (heads removed) after the same budget.",
            AuxHeadsExperiment::run);

    private static final int DEPTH = 8;
    private static final int WIDTH = 64;
    /** After the 3rd and the 6th hidden sigmoid: layers.5 and layers.11 of the MLP. */
    private static final String HEADS = "layers.5:0.3,layers.11:0.3";
    private static final String LOWEST = "body.layers.0.weight";
    private static final int TRAIN_EXAMPLES = 10_000;
    private static final int EPOCHS = 10;

    private AuxHeadsExperiment() {}

    /** One run: the per-step gradient norm of the lowest layer in the first epoch, the history and the test accuracy. */
    record Result(boolean heads, long seed, double[] firstEpochGradient, List<EpochMetrics> history, double testAccuracy) {}

    private static void run(Lab lab) throws IOException {
        Mnist.Splits data = lab.mnist();
        int seeds = lab.size(3, 1);
        int epochs = lab.size(EPOCHS, 1);
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            long seed = lab.seed() + i;
            Dataset train = MnistRun.subset(data.train(), lab.size(TRAIN_EXAMPLES, 500), seed);
            for (boolean heads : new boolean[] {false, true}) {
                results.add(train(lab, train, data.test(), heads, seed, epochs));
            }
        }
        report(lab, results, epochs);
    }

    private static Result train(Lab lab, Dataset train, Dataset test, boolean withHeads, long seed, int epochs)
            throws IOException {
        int[] sizes = new int[DEPTH + 2];
        java.util.Arrays.fill(sizes, WIDTH);
        sizes[0] = train.featureSize();
        sizes[sizes.length - 1] = train.classes();
        Dataset.Moments m = train.moments(false);
        Classifier model = new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32),
                new Mlp(Mlp.Spec.of(sizes).withActivation(Activation.sigmoid()), SplitMix64.derive(seed, "weights")));
        Map<String, Tensor> params = new LinkedHashMap<>(model.trainableParameters());
        List<Callback> callbacks = new ArrayList<>();
        LossFunction loss = LossFunction.crossEntropy();
        if (withHeads) {
            AuxiliaryHeads heads = AuxiliaryHeads.linear(model, Tensor.of(train.batch(0, 2).inputs()), train.classes(),
                    AuxiliaryHeads.Spec.parse(HEADS), SplitMix64.derive(seed, "auxiliary heads"));
            params.putAll(heads.parameters());
            callbacks.add(heads);
            loss = heads;
        }
        List<Double> gradient = new ArrayList<>();
        Tensor lowest = model.parameter(LOWEST);
        callbacks.add(new Callback() {
            @Override
            public void onBatchEnd(Trainer trainer, Batch batch, double l, int correct) {
                if (trainer.epoch() == 0) {
                    gradient.add(TensorStats.of(lowest.grad().value()).norm());
                }
            }
        });
        Optimizer opt = Optimizers.momentum(0.1, 0.9).over(params);
        DataLoader loader = new DataLoader(train, 64, false, Samplers.shuffled(), null);
        Trainer trainer = new Trainer(Trainer.Setup.of(model, opt, loader).withLoss(loss).withTest(test)
                .withEpochs(epochs).withSeed(seed).withCallbacks(callbacks));
        long start = System.nanoTime();
        trainer.fit();
        double accuracy = Evaluation.of(model, test, LossFunction.crossEntropy(), 1000).accuracy();
        double[] g = gradient.stream().mapToDouble(Double::doubleValue).toArray();
        lab.log("seed %d, %s: mean first-epoch |grad W1| %.3g, test accuracy %.2f%% (%.1f s)", seed,
                withHeads ? "with heads" : "without", DeepNets.tailMean(g, g.length), 100 * accuracy,
                (System.nanoTime() - start) / 1e9);
        return new Result(withHeads, seed, g, trainer.history(), accuracy);
    }

    private static void report(Lab lab, List<Result> results, int epochs) throws IOException {
        Csv steps = new Csv("seed,heads,step,lowest_layer_gradient_norm");
        Csv summary = new Csv("seed,heads,mean_first_epoch_gradient_norm,test_accuracy");
        for (Result r : results) {
            for (int s = 0; s < r.firstEpochGradient().length; s++) {
                steps.row(r.seed(), r.heads(), s + 1, r.firstEpochGradient()[s]);
            }
            summary.row(r.seed(), r.heads(), meanGradient(r), r.testAccuracy());
        }
        lab.csv("gradients.csv", steps);
        lab.csv("summary.csv", summary);
        Csv history = new Csv("seed,heads,epoch,train_loss,test_loss,test_accuracy");
        for (Result r : results) {
            for (EpochMetrics e : r.history()) {
                history.row(r.seed(), r.heads(), e.epoch(), e.trainLoss(), e.testLoss(), e.testAccuracy());
            }
        }
        lab.csv("history.csv", history);

        Result without0 = results.get(0);
        Result with0 = results.get(1);
        LinePlot plot = new LinePlot("Gradient norm of the lowest layer's weights, first epoch (seed " + without0.seed()
                + ")", "step", "‖∂L/∂W₁‖ (log scale)").logY();
        plot.series("without heads", DeepNets.count(without0.firstEpochGradient().length), without0.firstEpochGradient());
        plot.series("with heads", DeepNets.count(with0.firstEpochGradient().length), with0.firstEpochGradient());
        lab.figure("gradients.png", "The lowest layer's gradient with and without the auxiliary heads",
                f -> plot.write(f, 900, 520));
        LinePlot acc = new LinePlot("Test accuracy of the network alone", "epoch", "accuracy (%)");
        for (Result r : results) {
            acc.series((r.heads() ? "with heads" : "without") + ", seed " + r.seed(),
                    r.history().stream().mapToDouble(EpochMetrics::epoch).toArray(),
                    r.history().stream().mapToDouble(e -> 100 * e.testAccuracy()).toArray());
        }
        lab.figure("accuracy.png", "Test accuracy by epoch (the heads never take part in an evaluation)",
                f -> acc.write(f, 900, 520));

        double[] ratio = new double[results.size() / 2];
        double[] accWith = new double[ratio.length];
        double[] accWithout = new double[ratio.length];
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < ratio.length; i++) {
            Result a = results.get(2 * i);
            Result b = results.get(2 * i + 1);
            ratio[i] = meanGradient(b) / meanGradient(a);
            accWithout[i] = 100 * a.testAccuracy();
            accWith[i] = 100 * b.testAccuracy();
            rows.add(List.of(Long.toString(a.seed()), Csv.num(meanGradient(a)), Csv.num(meanGradient(b)),
                    String.format(Locale.ROOT, "%.2f", ratio[i]), MnistRun.pct(a.testAccuracy()),
                    MnistRun.pct(b.testAccuracy())));
        }
        lab.table("Per seed: mean ‖∂L/∂W₁‖ over the first epoch and test accuracy after " + epochs + " epochs",
                List.of("seed", "gradient without", "gradient with", "ratio", "test acc % without", "test acc % with"),
                rows);
        SeedStats r = new SeedStats(ratio);
        boolean allLarger = java.util.Arrays.stream(ratio).allMatch(x -> x > 1);
        lab.verdict("mean first-epoch gradient norm of the lowest layer, with heads / without", r.format(2) + " over "
                + ratio.length + " seeds (min " + String.format(Locale.ROOT, "%.2f",
                java.util.Arrays.stream(ratio).min().orElse(Double.NaN)) + ")", "above 1 in every seed (more gradient "
                + "reaches the lower layers)", allLarger);
        SeedStats with = new SeedStats(accWith);
        SeedStats without = new SeedStats(accWithout);
        lab.verdict("test accuracy (%) of the network alone after " + epochs + " epochs, with heads vs without",
                with.format(2) + " vs " + without.format(2) + " over " + ratio.length + " seeds", "higher with heads in "
                + "every seed, by at least 1 point on average", SeedStats.higherInEverySeed(accWith, accWithout, 1));
        lab.text(String.format(Locale.ROOT, "Training set: %d MNIST examples per seed (a seeded subset); MLP 784-%d×%d-10 "
                + "sigmoid, Kaiming-normal weights with sigmoid's gain; SGD with momentum 0.9, lr 0.1, batch 64, %d "
                + "epochs; heads %s (Linear 64→10 each). The training loss in history.csv includes the heads' weighted "
                + "terms; every test number is of the network alone.", lab.size(TRAIN_EXAMPLES, 500), DEPTH, WIDTH, epochs,
                HEADS));
    }

    private static double meanGradient(Result r) {
        return DeepNets.tailMean(r.firstEpochGradient(), r.firstEpochGradient().length);
    }
}
