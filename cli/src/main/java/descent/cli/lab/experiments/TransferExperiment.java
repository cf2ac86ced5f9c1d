package descent.cli.lab.experiments;

import descent.cli.lab.Csv;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.lab.MnistRun;
import descent.cli.lab.SeedStats;
import descent.cli.plot.LinePlot;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.Mnist;
import descent.data.Samplers;
import descent.nn.Classifier;
import descent.nn.Mlp;
import descent.nn.Standardize;
import descent.nn.Transfer;
import descent.optim.Optimizers;
import descent.tensor.DType;
import descent.train.EpochMetrics;
import descent.train.Evaluation;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import descent.train.Trainer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Features learned on MNIST, carried to a small Fashion-MNIST training set: fine-tuned, frozen, or not at all. */
final class TransferExperiment {

    static final Experiment EXPERIMENT = new Experiment("transfer", "Transfer learning",
            "When labelled data are scarce, the notes suggest transferring knowledge from another problem: train a "
            + "network there and fine-tune it on the few examples there are, on the idea that some learned features "
            + "are common to both. Here an MLP is trained on MNIST digits, then its output layer is replaced and it "
            + "is trained on 1,000 Fashion-MNIST images: all layers fine-tuned, or the hidden layers frozen and only "
            + "the new head trained. Both are compared with the same network trained from scratch on the same "
            + "1,000 images, with the same new-head initialization, data order and budget, over several seeds; the "
            + "verdicts are on the Fashion-MNIST test accuracy.",
            TransferExperiment::run);

    private static final int[] HIDDEN = {256, 128};
    private static final int SOURCE_EXAMPLES = 60_000;
    private static final int SOURCE_EPOCHS = 3;
    private static final int TARGET_EXAMPLES = 1000;
    private static final int TARGET_EPOCHS = 20;

    private TransferExperiment() {}

    enum Variant {
        SCRATCH("from scratch"), FINE_TUNED("MNIST features, fine-tuned"), FROZEN("MNIST features frozen, new head");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    record Result(Variant variant, long seed, List<EpochMetrics> history, double testAccuracy, long trained) {}

    private static void run(Lab lab) throws IOException {
        Mnist.Splits mnist = lab.mnist();
        Mnist.Splits fashion = lab.fashionMnist();
        int seeds = lab.size(5, 1);
        int targetEpochs = lab.size(TARGET_EPOCHS, 2);
        List<Result> results = new ArrayList<>();
        double[] sourceAccuracy = new double[seeds];
        for (int i = 0; i < seeds; i++) {
            long seed = lab.seed() + i;
            Dataset source = MnistRun.subset(mnist.train(), lab.size(SOURCE_EXAMPLES, 500), seed);
            long start = System.nanoTime();
            Classifier pretrained = network(source, seed, "source weights");
            fit(pretrained, source, lab.size(SOURCE_EPOCHS, 1), 128, seed);
            sourceAccuracy[i] = Evaluation.of(pretrained, mnist.test(), LossFunction.crossEntropy(), 1000).accuracy();
            lab.log("seed %d: pretrained on %d MNIST examples, MNIST test accuracy %.2f%% (%.1f s)", seed, source.size(),
                    100 * sourceAccuracy[i], (System.nanoTime() - start) / 1e9);
            Dataset target = MnistRun.subset(fashion.train(), lab.size(TARGET_EXAMPLES, 200), seed);
            for (Variant v : Variant.values()) {
                results.add(target(lab, v, pretrained, target, fashion.test(), seed, targetEpochs));
            }
        }
        report(lab, results, new SeedStats(sourceAccuracy), targetEpochs, fashion.test().size());
    }

    /** The MLP 784-256-128-classes with normalization fitted on {@code train}, weights drawn from the seed. */
    private static Classifier network(Dataset train, long seed, String stream) {
        int[] sizes = new int[HIDDEN.length + 2];
        sizes[0] = train.featureSize();
        System.arraycopy(HIDDEN, 0, sizes, 1, HIDDEN.length);
        sizes[sizes.length - 1] = train.classes();
        Dataset.Moments m = train.moments(false);
        return new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32),
                new Mlp(Mlp.Spec.of(sizes), SplitMix64.derive(seed, stream)));
    }

    private static List<EpochMetrics> fit(Classifier model, Dataset train, int epochs, int batch, long seed)
            throws IOException {
        DataLoader loader = new DataLoader(train, batch, false, Samplers.shuffled(), null);
        Trainer trainer = new Trainer(Trainer.Setup.of(model, Optimizers.adam(1e-3).over(model.trainableParameters()),
                loader).withEpochs(epochs).withSeed(seed));
        return trainer.fit();
    }

    private static Result target(Lab lab, Variant v, Classifier pretrained, Dataset train, Dataset test, long seed,
                                 int epochs) throws IOException {
        // Every variant draws the same fresh weights, so the new head starts alike in all three.
        Classifier model = network(train, seed, "target weights");
        if (v != Variant.SCRATCH) {
            // The MNIST run's weights and input normalization, but a new output layer: the classes mean other things.
            Transfer.load(model, pretrained.stateDict(), List.of(Transfer.outputLayer(model)));
        }
        if (v == Variant.FROZEN) {
            Transfer.freeze(model, List.of("layers.0", "layers.2"));
        }
        long trained = model.trainableParameters().values().stream().mapToLong(t -> t.size()).sum();
        long start = System.nanoTime();
        List<EpochMetrics> history = fit(model, train, epochs, 32, seed);
        double accuracy = Evaluation.of(model, test, LossFunction.crossEntropy(), 1000).accuracy();
        lab.log("seed %d, %s: Fashion-MNIST test accuracy %.2f%% (%.1f s)", seed, v.label, 100 * accuracy,
                (System.nanoTime() - start) / 1e9);
        return new Result(v, seed, history, accuracy, trained);
    }

    private static long higher(SeedStats a, SeedStats b) {
        return java.util.stream.IntStream.range(0, a.values().length).filter(i -> a.values()[i] > b.values()[i]).count();
    }

    private static void report(Lab lab, List<Result> results, SeedStats source, int epochs, int testSize)
            throws IOException {
        Csv csv = new Csv("seed,variant,epoch,train_loss,train_accuracy");
        Csv summary = new Csv("seed,variant,trained_parameters,test_accuracy");
        for (Result r : results) {
            for (EpochMetrics e : r.history()) {
                csv.row(r.seed(), r.variant().label, e.epoch(), e.trainLoss(), e.trainAccuracy());
            }
            summary.row(r.seed(), r.variant().label, r.trained(), r.testAccuracy());
        }
        lab.csv("history.csv", csv);
        lab.csv("summary.csv", summary);
        LinePlot loss = new LinePlot("Training loss on the 1,000 Fashion-MNIST images (seed " + lab.seed() + ")", "epoch",
                "cross-entropy (log scale)").logY();
        for (Result r : results) {
            if (r.seed() == lab.seed()) {
                loss.series(r.variant().label, r.history().stream().mapToDouble(EpochMetrics::epoch).toArray(),
                        r.history().stream().mapToDouble(EpochMetrics::trainLoss).toArray());
            }
        }
        lab.figure("loss.png", "Training loss by epoch of each variant", f -> loss.write(f, 900, 520));

        List<List<String>> rows = new ArrayList<>();
        SeedStats[] acc = new SeedStats[Variant.values().length];
        for (Variant v : Variant.values()) {
            List<Result> rs = results.stream().filter(r -> r.variant() == v).toList();
            acc[v.ordinal()] = new SeedStats(rs.stream().mapToDouble(r -> 100 * r.testAccuracy()).toArray());
            rows.add(List.of(v.label, String.format(Locale.ROOT, "%,d", rs.getFirst().trained()),
                    String.join(", ", rs.stream().map(r -> MnistRun.pct(r.testAccuracy())).toList()),
                    acc[v.ordinal()].format(2)));
        }
        lab.table("Fashion-MNIST test accuracy (%) after " + epochs + " epochs on the subset", List.of("variant",
                "trained parameters", "per seed", "mean ± std"), rows);
        lab.text(String.format(Locale.ROOT, "Source: MLP 784-256-128-10 (ReLU) trained with Adam (lr 0.001, batch 128) "
                + "for %d epochs on %d MNIST images per seed, MNIST test accuracy %s %%. Target: %d Fashion-MNIST "
                + "images per seed (a seeded subset), Adam lr 0.001, batch 32, %d epochs, tested on the %d test images. "
                + "The transferred networks keep MNIST's input normalization (train --init-from's default).",
                lab.size(SOURCE_EPOCHS, 1), lab.size(SOURCE_EXAMPLES, 500), source.format(2),
                lab.size(TARGET_EXAMPLES, 200), epochs, testSize));
        SeedStats scratch = acc[Variant.SCRATCH.ordinal()];
        SeedStats tuned = acc[Variant.FINE_TUNED.ordinal()];
        SeedStats frozen = acc[Variant.FROZEN.ordinal()];
        int n = scratch.values().length;
        lab.verdict("Fashion-MNIST test accuracy (%), fine-tuned MNIST network vs from scratch", tuned.format(2) + " vs "
                + scratch.format(2) + " over " + n + " seeds (fine-tuned higher in " + higher(tuned, scratch) + " of "
                + n + ")", "higher fine-tuned in every seed, by at least 0.5 points on average (the features transfer)",
                SeedStats.higherInEverySeed(tuned.values(), scratch.values(), 0.5));
        lab.verdict("Fashion-MNIST test accuracy (%), frozen MNIST features + new head vs from scratch", frozen.format(2)
                + " vs " + scratch.format(2) + " over " + n + " seeds (frozen higher in " + higher(frozen, scratch) + " of "
                + n + ")", "higher with the frozen features in every seed, by at least 0.5 points on average",
                SeedStats.higherInEverySeed(frozen.values(), scratch.values(), 0.5));
    }
}
