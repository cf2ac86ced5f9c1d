package descent.cli.lab.experiments;

import descent.cli.Hyperparameters;
import descent.cli.OptimizerNames;
import descent.cli.lab.Csv;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.lab.MnistRun;
import descent.cli.plot.LinePlot;
import descent.data.Curriculum;
import descent.data.Dataset;
import descent.data.Mnist;
import descent.data.Sampler;
import descent.data.Samplers;
import descent.nn.Classifier;
import descent.nn.Mlp;
import descent.nn.Standardize;
import descent.tensor.DType;
import descent.train.Evaluation;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import descent.train.TrainStep;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Curriculum learning (easy examples first) against random order, the same steps, over several seeds. */
final class CurriculumComparison {

    static final Experiment EXPERIMENT = new Experiment("curriculum",
            "Curriculum learning: easy examples first against random order",
            "The notes: curriculum learning \"can be interpreted as a type of continuation method where the learning "
            + "process is planned such that the simpler concepts are learned first and then the harder ones\"; it "
            + "\"had been shown to accelerate progress in animal training\"; one shows \"more of the easier images and "
            + "less of the harder images\" at first, then more of the harder ones, \"so that the model can ultimately "
            + "learn the harder task\". Here difficulty is an image's distance to its class mean; the curriculum draws "
            + "from the easiest 20 % at first, its pool widening linearly to all images, against plain shuffling, "
            + "for the same number of SGD steps and the same initial weights.", CurriculumComparison::run);

    static final String PACING = "linear:0.2:4";

    private CurriculumComparison() {}

    /** Test accuracy (all test images, the hardest and the easiest quarter) at each checkpoint of one run. */
    private record Curve(double[] accuracy, double[] hardAccuracy, double[] easyAccuracy) {}

    private static void run(Lab lab) throws IOException {
        Mnist.Splits data = lab.mnist();
        Dataset train = MnistRun.subset(data.train(), lab.size(10000, 600), lab.seed());
        Dataset test = MnistRun.subset(data.test(), lab.size(2000, 300), lab.seed());
        Dataset hard = quarter(test, true);
        Dataset easy = quarter(test, false);
        int steps = lab.size(1250, 20);
        int batch = lab.size(64, 32);
        int checkpoints = 10;
        int seeds = lab.size(5, 2);
        double[] difficulty = Curriculum.distanceToClassMean(train);
        String[] names = {"random order", "curriculum " + PACING};
        double[][][] acc = new double[2][seeds][];
        double[][][] hardAcc = new double[2][seeds][];
        double[][][] easyAcc = new double[2][seeds][];
        Csv csv = new Csv("order,seed,step,test_accuracy,hardest_quarter_accuracy,easiest_quarter_accuracy");
        double[] at = new double[checkpoints];
        for (int c = 0; c < checkpoints; c++) {
            at[c] = (double) steps * (c + 1) / checkpoints;
        }
        for (int r = 0; r < seeds; r++) {
            long seed = lab.seed() + r;
            for (int o = 0; o < 2; o++) {
                Sampler sampler = o == 0 ? Samplers.shuffled() : new Curriculum(difficulty, Curriculum.Pacing.parse(PACING));
                Curve curve = train(train, test, hard, easy, sampler, steps, batch, checkpoints, seed);
                acc[o][r] = curve.accuracy();
                hardAcc[o][r] = curve.hardAccuracy();
                easyAcc[o][r] = curve.easyAccuracy();
                for (int c = 0; c < checkpoints; c++) {
                    csv.row(names[o], seed, (long) at[c], curve.accuracy()[c], curve.hardAccuracy()[c],
                            curve.easyAccuracy()[c]);
                }
                lab.log("%s, seed %d: test accuracy %.2f%% after %d steps, %.2f%% at the end (hardest quarter %.2f%%)",
                        names[o], seed, 100 * curve.accuracy()[0], (long) at[0], 100 * curve.accuracy()[checkpoints - 1],
                        100 * curve.hardAccuracy()[checkpoints - 1]);
            }
        }
        double[] earlyEasy = diff(easyAcc, 0);
        double[] earlyDiff = diff(acc, 0);
        double[] finalDiff = diff(acc, checkpoints - 1);
        double[] hardDiff = diff(hardAcc, checkpoints - 1);
        String early = "after " + (long) at[0] + " of " + steps + " steps, curriculum − random (mean ± std over " + seeds
                + " seeds, points)";
        lab.verdict("simpler first: accuracy on the easiest quarter of the test images " + early, pm(earlyEasy),
                "≥ −1: the easy examples it trains on are learned at least as well", SparseInit.mean(earlyEasy) >= -0.01);
        lab.verdict("early progress: accuracy on all test images " + early, pm(earlyDiff),
                "< 0: at first the curriculum has seen only the easiest fifth of the images, so it is behind on the "
                        + "whole task (the notes report acceleration in animal training, not here)",
                SparseInit.mean(earlyDiff) < 0);
        lab.verdict("final accuracy on all test images after " + steps + " steps, curriculum − random (points)",
                pm(finalDiff), "≥ −1: ultimately it learns the whole task", SparseInit.mean(finalDiff) >= -0.01);
        lab.verdict("final accuracy on the hardest quarter of the test images, curriculum − random (points)", pm(hardDiff),
                "≥ −1.5: the harder examples are learned too", SparseInit.mean(hardDiff) >= -0.015);

        lab.csv("test_accuracy.csv", csv);
        LinePlot plot = new LinePlot("Test accuracy, mean of " + seeds + " seeds", "step", "accuracy (%)");
        LinePlot hardPlot = new LinePlot("Accuracy on the hardest quarter of the test images, mean of " + seeds + " seeds",
                "step", "accuracy (%)");
        List<List<String>> rows = new ArrayList<>();
        for (int o = 0; o < 2; o++) {
            plot.series(names[o], at, meanCurve(acc[o]));
            hardPlot.series(names[o], at, meanCurve(hardAcc[o]));
            rows.add(List.of(names[o], pm(column(acc[o], 0)), pm(column(acc[o], checkpoints / 2 - 1)),
                    pm(column(acc[o], checkpoints - 1)), pm(column(easyAcc[o], 0)), pm(column(hardAcc[o], checkpoints - 1))));
        }
        lab.figure("test_accuracy.png", "Test accuracy by step", f -> plot.write(f, 900, 520));
        lab.figure("hardest_quarter_accuracy.png", "Accuracy on the hardest quarter (farthest from their class mean)",
                f -> hardPlot.write(f, 900, 520));
        lab.table("Test accuracy in %, mean ± std over seeds", List.of("order", "after " + (long) at[0] + " steps",
                "after " + (long) at[checkpoints / 2 - 1], "after " + steps, "easiest quarter, after " + (long) at[0],
                "hardest quarter, end"), rows);
        lab.text(String.format(Locale.ROOT, "%d training and %d test images; MLP 784-128-10 ReLU, SGD lr 0.02 momentum "
                        + "0.9, batch %d, %d steps; seeds %d to %d, each giving both orders the same initial weights. "
                        + "The curriculum's epochs pass over its pool only, so in the same steps it goes through more, "
                        + "shorter epochs at first. The notes' acceleration is reported of animal training; here the "
                        + "curriculum learns its easy images as well as random order does but is behind on the whole "
                        + "test set early on (it has seen only typical images), and within a point of it by the end.", train.size(), test.size(), batch, steps, lab.seed(),
                lab.seed() + seeds - 1));
    }

    /** SGD steps over {@code sampler}'s epochs, the test accuracy measured {@code checkpoints} times evenly. */
    private static Curve train(Dataset train, Dataset test, Dataset hard, Dataset easy, Sampler sampler, int steps, int batch,
                               int checkpoints, long seed) {
        Dataset.Moments m = train.moments(false);
        Mlp body = new Mlp(Mlp.Spec.of(train.featureSize(), 128, train.classes()), SplitMix64.derive(seed, "weights"));
        Classifier model = new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32), body);
        TrainStep stepper = new TrainStep(model, OptimizerNames.firstOrder("sgd",
                Hyperparameters.of("lr", "0.02", "momentum", "0.9")).over(model.trainableParameters()),
                LossFunction.crossEntropy());
        SplitMix64 rng = SplitMix64.derive(seed, "data order");
        SplitMix64 noDropout = new SplitMix64(0);
        int epoch = 0;
        int[] order = sampler.order(epoch, train.size(), rng);
        int position = 0;
        double[] accuracy = new double[checkpoints];
        double[] hardAccuracy = new double[checkpoints];
        double[] easyAccuracy = new double[checkpoints];
        int next = 0;
        for (int s = 1; s <= steps; s++) {
            if (position + batch > order.length) { // the last partial batch of an epoch is dropped
                order = sampler.order(++epoch, train.size(), rng);
                position = 0;
            }
            stepper.run(train.batch(Arrays.copyOfRange(order, position, position + batch)), noDropout, null, s, epoch + 1);
            position += batch;
            if ((long) s * checkpoints >= (long) steps * (next + 1)) {
                accuracy[next] = Evaluation.of(model, test, LossFunction.crossEntropy(), 1000).accuracy();
                hardAccuracy[next] = Evaluation.of(model, hard, LossFunction.crossEntropy(), 1000).accuracy();
                easyAccuracy[next] = Evaluation.of(model, easy, LossFunction.crossEntropy(), 1000).accuracy();
                next++;
            }
        }
        return new Curve(accuracy, hardAccuracy, easyAccuracy);
    }

    /** The quarter of the images farthest from their class mean ({@code hardest}), or nearest to it. */
    private static Dataset quarter(Dataset test, boolean hardest) {
        double[] d = Curriculum.distanceToClassMean(test);
        Integer[] idx = new Integer[d.length];
        Arrays.setAll(idx, i -> i);
        Arrays.sort(idx, (a, b) -> hardest ? Double.compare(d[b], d[a]) : Double.compare(d[a], d[b]));
        int[] picked = Arrays.stream(idx).limit(Math.max(1, d.length / 4)).mapToInt(Integer::intValue).sorted().toArray();
        return test.subset(test.name() + (hardest ? "[hardest quarter]" : "[easiest quarter]"), picked);
    }

    /** Curriculum minus random at one checkpoint, per seed. */
    private static double[] diff(double[][][] v, int checkpoint) {
        double[] d = new double[v[0].length];
        for (int r = 0; r < d.length; r++) {
            d[r] = v[1][r][checkpoint] - v[0][r][checkpoint];
        }
        return d;
    }

    private static double[] column(double[][] v, int checkpoint) {
        return Arrays.stream(v).mapToDouble(r -> r[checkpoint]).toArray();
    }

    private static double[] meanCurve(double[][] v) {
        double[] out = new double[v[0].length];
        for (int c = 0; c < out.length; c++) {
            out[c] = 100 * SparseInit.mean(column(v, c));
        }
        return out;
    }

    /** Fractions as percentage points, mean ± std. */
    private static String pm(double[] v) {
        return String.format(Locale.ROOT, "%.2f ± %.2f", 100 * SparseInit.mean(v), 100 * SparseInit.std(v));
    }
}
