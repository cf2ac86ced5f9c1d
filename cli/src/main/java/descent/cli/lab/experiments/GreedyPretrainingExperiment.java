package descent.cli.lab.experiments;

import descent.cli.lab.Csv;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.lab.MnistRun;
import descent.cli.plot.LinePlot;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.Mnist;
import descent.nn.Activation;
import descent.nn.Classifier;
import descent.nn.Mlp;
import descent.nn.Standardize;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.tensor.DType;
import descent.train.EpochMetrics;
import descent.train.Evaluation;
import descent.train.GreedyPretraining;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import descent.train.Trainer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deep, narrow sigmoid MLP on MNIST trained from scratch and with greedy supervised layer-wise
 * pretraining, for the same number of epochs from the same initial weights, over several seeds.
 */
final class GreedyPretrainingExperiment {

    static final Experiment EXPERIMENT = new Experiment("greedy-pretraining", "Greedy supervised layer-wise pretraining",
            "A deep stack of sigmoid layers is hard to train from the start: each layer scales the gradient by at most "
            + "σ' ≤ ¼, so the lower layers hardly move while the upper ones learn from features that are still random. "
            + "Greedy supervised pretraining splits the problem: hidden layer 1 is trained first with a temporary output "
            + "head on the inputs and labels, then each next layer on the output of the frozen layers below, with a head "
            + "of its own; finally the whole network is fine-tuned. Here an 8 × 32 sigmoid network (SGD with momentum "
            + "0.9, learning rate 0.05, batch 128) trains for 12 epochs from scratch, and for 1 epoch per layer plus 4 "
            + "of fine-tuning with pretraining, from the same initial weights, on 3 seeds.",
            GreedyPretrainingExperiment::run);

    private static final int WIDTH = 32;
    private static final double LR = 0.05;
    private static final double MOMENTUM = 0.9;
    private static final int BATCH = 128;
    private static final int EPOCHS_PER_LAYER = 1;
    private static final int FINE_TUNE_EPOCHS = 4;

    private GreedyPretrainingExperiment() {}

    /** One variant on one seed: the epochs it trained (with their stages) and its final evaluations. */
    private record Outcome(String variant, long seed, List<EpochMetrics> history, List<String> stages, Evaluation train,
                           Evaluation test) {}

    private static void run(Lab lab) throws IOException {
        Mnist.Splits data = lab.mnist();
        Dataset train = MnistRun.subset(data.train(), lab.size(20000, 1000), lab.seed());
        Dataset test = data.test();
        int depth = lab.size(8, 3);
        int seeds = lab.size(3, 2);
        int epochs = depth * EPOCHS_PER_LAYER + FINE_TUNE_EPOCHS;
        List<Outcome> scratch = new ArrayList<>();
        List<Outcome> greedy = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            long seed = lab.seed() + i;
            scratch.add(fromScratch(lab, train, test, depth, epochs, seed));
            greedy.add(pretrained(lab, train, test, depth, seed));
        }
        report(lab, scratch, greedy, epochs);
        lab.text(stagesNote(greedy, scratch));
        double[] lossScratch = column(scratch, o -> o.train().loss());
        double[] lossGreedy = column(greedy, o -> o.train().loss());
        double[] accScratch = column(scratch, o -> o.test().accuracy());
        double[] accGreedy = column(greedy, o -> o.test().accuracy());
        boolean lowerEverySeed = true;
        boolean higherEverySeed = true;
        for (int i = 0; i < seeds; i++) {
            lowerEverySeed &= lossGreedy[i] < lossScratch[i];
            higherEverySeed &= accGreedy[i] > accScratch[i];
        }
        String runs = seeds + " seeds, " + epochs + " epochs each";
        lab.verdict("final training loss (evaluation mode), greedy pretraining vs from scratch, " + runs,
                spread(lossGreedy, 1, "%.4f") + " vs " + spread(lossScratch, 1, "%.4f"),
                "lower with pretraining on every seed", lowerEverySeed);
        lab.verdict("final test accuracy (%), greedy pretraining vs from scratch, " + runs,
                spread(accGreedy, 100, "%.2f") + " vs " + spread(accScratch, 100, "%.2f"),
                "higher with pretraining on every seed", higherEverySeed);
    }

    private static Classifier network(Dataset train, int depth, long seed) {
        int[] sizes = new int[depth + 2];
        Arrays.fill(sizes, WIDTH);
        sizes[0] = train.featureSize();
        sizes[depth + 1] = train.classes();
        Dataset.Moments m = train.moments(false);
        return new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32),
                new Mlp(Mlp.Spec.of(sizes).withActivation(Activation.sigmoid()), SplitMix64.derive(seed, "weights")));
    }

    private static Optimizer optimizer(Map<String, descent.autograd.Tensor> params) {
        return Optimizers.momentum(LR, MOMENTUM).over(params);
    }

    private static Trainer.Setup setup(Classifier model, Dataset train, Dataset test, int epochs, long seed) {
        return Trainer.Setup.of(model, optimizer(model.trainableParameters()), DataLoader.shuffled(train, BATCH))
                .withTest(test).withEpochs(epochs).withSeed(seed);
    }

    private static Outcome fromScratch(Lab lab, Dataset train, Dataset test, int depth, int epochs, long seed)
            throws IOException {
        Classifier model = network(train, depth, seed);
        long start = System.nanoTime();
        Trainer t = new Trainer(setup(model, train, test, epochs, seed));
        t.fit();
        return outcome(lab, "from scratch", seed, model, t.history(), Collections.nCopies(epochs, "joint"), train, test,
                start);
    }

    private static Outcome pretrained(Lab lab, Dataset train, Dataset test, int depth, long seed) throws IOException {
        Classifier model = network(train, depth, seed);
        long start = System.nanoTime();
        GreedyPretraining g = new GreedyPretraining(model, new GreedyPretraining.Settings(EPOCHS_PER_LAYER, false),
                SplitMix64.derive(seed, "greedy pretraining heads"));
        GreedyPretraining.Result r = g.fit(setup(model, train, test, FINE_TUNE_EPOCHS, seed),
                (params, minibatches) -> optimizer(params));
        return outcome(lab, "greedy pretraining", seed, model, r.history(), r.stageOfEpoch(), train, test, start);
    }

    private static Outcome outcome(Lab lab, String variant, long seed, Classifier model, List<EpochMetrics> history,
                                   List<String> stages, Dataset train, Dataset test, long start) {
        Evaluation tr = Evaluation.of(model, train, LossFunction.crossEntropy(), 1000);
        Evaluation te = Evaluation.of(model, test, LossFunction.crossEntropy(), 1000);
        lab.log("%s, seed %d: %d epochs in %.1f s, train loss %.4f, test accuracy %.2f%%", variant, seed, history.size(),
                (System.nanoTime() - start) / 1e9, tr.loss(), 100 * te.accuracy());
        return new Outcome(variant, seed, history, stages, tr, te);
    }

    private static void report(Lab lab, List<Outcome> scratch, List<Outcome> greedy, int epochs) throws IOException {
        List<Outcome> all = new ArrayList<>(scratch);
        all.addAll(greedy);
        Csv csv = new Csv("variant,seed,epoch,stage,train_loss,train_accuracy,test_loss,test_accuracy");
        LinePlot loss = new LinePlot("Training loss by epoch (train mode, mean over the epoch)", "epoch",
                "cross-entropy (log scale)").logY();
        LinePlot acc = new LinePlot("Test accuracy by epoch", "epoch", "accuracy (%)");
        for (Outcome o : all) {
            double[] ep = o.history().stream().mapToDouble(EpochMetrics::epoch).toArray();
            String name = o.variant() + ", seed " + o.seed();
            loss.series(name, ep, o.history().stream().mapToDouble(EpochMetrics::trainLoss).toArray());
            acc.series(name, ep, o.history().stream().mapToDouble(e -> 100 * e.testAccuracy()).toArray());
            for (int i = 0; i < o.history().size(); i++) {
                EpochMetrics e = o.history().get(i);
                csv.row(o.variant(), o.seed(), e.epoch(), o.stages().get(i), e.trainLoss(), e.trainAccuracy(),
                        e.testLoss(), e.testAccuracy());
            }
        }
        List<String> stages = greedy.getFirst().stages();
        for (int i = 0; i < stages.size(); i++) {
            if (i == 0 || !stages.get(i).equals(stages.get(i - 1))) {
                loss.marker(i + 0.5, stages.get(i));
                acc.marker(i + 0.5, stages.get(i));
            }
        }
        lab.csv("history.csv", csv);
        lab.figure("train_loss.png", "Training loss by epoch; the dashed lines mark where each stage of the pretrained "
                + "runs begins (the from-scratch runs train every layer all along)", f -> loss.write(f, 900, 520));
        lab.figure("test_accuracy.png", "Test accuracy by epoch", f -> acc.write(f, 900, 520));
        List<List<String>> rows = new ArrayList<>();
        for (Outcome o : all) {
            rows.add(List.of(o.variant(), Long.toString(o.seed()), Integer.toString(o.history().size()),
                    String.format(Locale.ROOT, "%.4f", o.train().loss()), MnistRun.pct(o.train().accuracy()),
                    MnistRun.pct(o.test().accuracy())));
        }
        lab.table("Final results (evaluation mode, " + epochs + " epochs each)", List.of("variant", "seed", "epochs",
                "train loss", "train acc %", "test acc %"), rows);
    }

    /** What the stages reached, in numbers: where the first and the last pretraining stage ended, and the fine-tuning. */
    private static String stagesNote(List<Outcome> greedy, List<Outcome> scratch) {
        List<String> stages = greedy.getFirst().stages();
        int firstEnd = stages.lastIndexOf(stages.getFirst());
        int lastEnd = stages.indexOf(GreedyPretraining.FINE_TUNE) - 1;
        double[] first = column(greedy, o -> o.history().get(firstEnd).trainLoss());
        double[] last = column(greedy, o -> o.history().get(lastEnd).trainLoss());
        double[] end = column(greedy, o -> o.history().getLast().trainLoss());
        double[] fromScratch = column(scratch, o -> o.history().getLast().trainLoss());
        return "Training loss (train mode, mean over the epoch) of the pretrained runs at the end of "
                + stages.getFirst() + ": " + spread(first, 1, "%.4f") + "; at the end of " + stages.get(lastEnd) + ": "
                + spread(last, 1, "%.4f") + "; after the fine-tuning: " + spread(end, 1, "%.4f") + ". The from-scratch "
                + "runs' last epoch: " + spread(fromScratch, 1, "%.4f") + " (ln 10 = 2.3026 is the loss of a uniform "
                + "guess). Each stage trains a fresh layer and head on frozen features for " + EPOCHS_PER_LAYER
                + " epoch(s), so a stage need not reach the loss of the one below it: here the loss "
                + (mean(last) > mean(first) ? "grows" : "falls") + " as the stack deepens, and the fine-tuning, which "
                + "starts from that stack, ends " + (mean(end) < mean(first) ? "below" : "above") + " the first stage's "
                + "loss.";
    }

    private static double[] column(List<Outcome> outcomes, java.util.function.ToDoubleFunction<Outcome> f) {
        return outcomes.stream().mapToDouble(f).toArray();
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }

    /** "mean ± standard deviation (min–max)" of {@code v} times {@code scale}. */
    static String spread(double[] v, double scale, String format) {
        double mean = mean(v);
        double var = v.length < 2 ? 0 : Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1);
        double min = Arrays.stream(v).min().orElseThrow();
        double max = Arrays.stream(v).max().orElseThrow();
        return String.format(Locale.ROOT, format + " ± " + format + " (" + format + "–" + format + ")", scale * mean,
                scale * Math.sqrt(var), scale * min, scale * max);
    }
}
