package descent.cli.lab;

import descent.cli.Hyperparameters;
import descent.cli.OptimizerNames;
import descent.cli.plot.LinePlot;
import descent.data.Augmentation;
import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.Samplers;
import descent.nn.Classifier;
import descent.nn.Mlp;
import descent.nn.Standardize;
import descent.optim.Optimizer;
import descent.tensor.DType;
import descent.train.Callback;
import descent.train.EarlyStopping;
import descent.train.EpochMetrics;
import descent.train.Evaluation;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import descent.train.Trainer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One MLP trained on MNIST-layout data for an experiment: globally normalized input, the given
 * architecture and optimizer, optional augmentation and early stopping; the same seed gives the same
 * initial weights and data order in every variant, so variants differ only in what is compared.
 */
public record MnistRun(String label, Mlp.Spec spec, String optimizer, Map<String, String> hyper, int epochs,
                       int batchSize, String augment, int patience) {

    public MnistRun {
        // In the order given: Map.copyOf's order changes from one JVM to the next, and pages print the map.
        hyper = Collections.unmodifiableMap(new LinkedHashMap<>(hyper));
    }

    public static MnistRun of(String label, Mlp.Spec spec, String optimizer, int epochs, String... hyper) {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i < hyper.length; i += 2) {
            h.put(hyper[i], hyper[i + 1]);
        }
        return new MnistRun(label, spec, optimizer, h, epochs, 128, null, 0);
    }

    public MnistRun withAugment(String spec) {
        return new MnistRun(label, this.spec, optimizer, hyper, epochs, batchSize, spec, patience);
    }

    public MnistRun withEarlyStopping(int patience) {
        return new MnistRun(label, spec, optimizer, hyper, epochs, batchSize, augment, patience);
    }

    public MnistRun withEpochs(int n) {
        return new MnistRun(label, spec, optimizer, hyper, n, batchSize, augment, patience);
    }

    public MnistRun named(String newLabel) {
        return new MnistRun(newLabel, spec, optimizer, hyper, epochs, batchSize, augment, patience);
    }

    /** What a run gives: per-epoch metrics, the training loss of every step, and the final test evaluation. */
    public record Result(MnistRun run, List<EpochMetrics> history, double[] stepLoss, Evaluation test,
                         Evaluation train, int bestEpoch) {

        /** Final train accuracy minus test accuracy, in percentage points (evaluation mode for both). */
        public double gap() {
            return 100 * (train.accuracy() - test.accuracy());
        }

        /** Final test loss minus train loss (evaluation mode for both). */
        public double lossGap() {
            return test.loss() - train.loss();
        }
    }

    public Result train(Lab lab, Dataset trainSet, Dataset validation, Dataset test) throws IOException {
        Dataset.Moments m = trainSet.moments(false);
        Mlp body = new Mlp(spec, SplitMix64.derive(lab.seed(), "weights"));
        Classifier model = new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32), body);
        Map<String, String> h = new LinkedHashMap<>(hyper);
        Optimizer opt = OptimizerNames.firstOrder(optimizer, new Hyperparameters(h)).over(model.trainableParameters());
        DataLoader loader = new DataLoader(trainSet, batchSize, false, Samplers.shuffled(),
                augment == null ? null : Augmentation.parse(augment, trainSet.exampleShape()));
        List<Double> losses = new ArrayList<>();
        List<Callback> callbacks = new ArrayList<>();
        callbacks.add(new Callback() {
            @Override
            public void onBatchEnd(Trainer trainer, Batch batch, double loss, int correct) {
                losses.add(loss);
            }
        });
        EarlyStopping stopper = patience > 0 ? new EarlyStopping(patience, 0) : null;
        if (stopper != null) {
            callbacks.add(stopper);
        }
        Trainer trainer = new Trainer(Trainer.Setup.of(model, opt, loader).withValidation(validation).withTest(test)
                .withEpochs(epochs).withSeed(lab.seed()).withCallbacks(callbacks));
        long start = System.nanoTime();
        trainer.fit();
        Evaluation testEval = Evaluation.of(model, test, LossFunction.crossEntropy(), 1000);
        Evaluation trainEval = Evaluation.of(model, trainSet, LossFunction.crossEntropy(), 1000);
        lab.log("%s: %d epochs in %.1f s, train accuracy %.2f%%, test accuracy %.2f%%", label, trainer.history().size(),
                (System.nanoTime() - start) / 1e9, 100 * trainEval.accuracy(), 100 * testEval.accuracy());
        return new Result(this, trainer.history(), losses.stream().mapToDouble(Double::doubleValue).toArray(), testEval,
                trainEval, stopper == null ? 0 : stopper.bestEpoch());
    }

    /** history.csv-style rows of every result, with a first column naming the variant. */
    public static Csv history(List<Result> results) {
        Csv csv = new Csv("variant,epoch,step,train_loss,train_accuracy,validation_loss,validation_accuracy,test_loss,"
                + "test_accuracy");
        for (Result r : results) {
            for (EpochMetrics e : r.history()) {
                csv.row(r.run().label(), e.epoch(), e.step(), e.trainLoss(), e.trainAccuracy(), e.validationLoss(),
                        e.validationAccuracy(), e.testLoss(), e.testAccuracy());
            }
        }
        return csv;
    }

    /** Train and test accuracy by epoch for every result, and the summary table. */
    public static void report(Lab lab, String prefix, List<Result> results) throws IOException {
        lab.csv(prefix + "history.csv", history(results));
        LinePlot acc = new LinePlot("Accuracy by epoch", "epoch", "accuracy (%)");
        LinePlot loss = new LinePlot("Loss by epoch", "epoch", "cross-entropy (log scale)").logY();
        for (Result r : results) {
            double[] ep = r.history().stream().mapToDouble(EpochMetrics::epoch).toArray();
            acc.series(r.run().label() + " train", ep, r.history().stream().mapToDouble(e -> 100 * e.trainAccuracy()).toArray());
            acc.series(r.run().label() + " test", ep, r.history().stream().mapToDouble(e -> 100 * e.testAccuracy()).toArray());
            loss.series(r.run().label() + " train", ep, r.history().stream().mapToDouble(EpochMetrics::trainLoss).toArray());
            loss.series(r.run().label() + " test", ep, r.history().stream().mapToDouble(EpochMetrics::testLoss).toArray());
        }
        lab.figure(prefix + "accuracy.png", "Train and test accuracy by epoch", f -> acc.write(f, 900, 520));
        lab.figure(prefix + "loss.png", "Train and test loss by epoch", f -> loss.write(f, 900, 520));
        List<List<String>> rows = new ArrayList<>();
        for (Result r : results) {
            rows.add(List.of(r.run().label(), Integer.toString(r.history().size()), pct(r.train().accuracy()),
                    pct(r.test().accuracy()), String.format(Locale.ROOT, "%.2f", r.gap()),
                    String.format(Locale.ROOT, "%.4f", r.train().loss()),
                    String.format(Locale.ROOT, "%.4f", r.test().loss())));
        }
        lab.table("Final results (evaluation mode)", List.of("variant", "epochs", "train acc %", "test acc %",
                "gap (points)", "train loss", "test loss"), rows);
    }

    public static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }

    /** A seeded subset of {@code n} training examples (all of them if there are fewer). */
    public static Dataset subset(Dataset train, int n, long seed) {
        if (n >= train.size()) {
            return train;
        }
        int[] idx = Samplers.permutation(train.size(), SplitMix64.derive(seed, "subset"));
        return train.subset(train.name() + "[" + n + "]", Arrays.copyOf(idx, n));
    }
}
