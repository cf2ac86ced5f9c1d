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
import descent.optim.Optimizers;
import descent.tensor.DType;
import descent.train.EpochMetrics;
import descent.train.Evaluation;
import descent.train.FitNets;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import descent.train.Trainer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * FitNets (Romero et al., 2015): a thin, deep student trained three ways on the same budget of
 * epochs — from scratch on the labels, by knowledge distillation from a wide, shallow teacher, and
 * with a hint stage before the distillation — over several seeds.
 */
final class FitNetsExperiment {

    static final Experiment EXPERIMENT = new Experiment("fitnets", "FitNets: hints from a teacher", "A wide, shallow "
            + "teacher is trained first. A thin, deep student then learns from it in two stages: its layers up to a "
            + "guided layer learn, through a regressor, to predict the teacher's hint layer (½‖u_h − r(v_g)‖²); then "
            + "the whole student learns from the labels and the teacher's outputs softened by a temperature τ, the soft "
            + "targets weighted by a λ that decays linearly (knowledge distillation). The paper's claim: the hints make "
            + "a deep, thin student trainable, and better than one trained from scratch or by distillation alone. Here "
            + "the three are trained for the same number of epochs from the same initial weights, on several seeds.",
            FitNetsExperiment::run);

    private static final int DEPTH = 8;
    private static final int WIDTH = 16;
    private static final double TEMPERATURE = 3;
    private static final double LR = 1e-3;
    /** The teacher's one hidden activation, and the student's middle one (hidden layer 4 of 8). */
    private static final String HINT = "body.layers.1";
    private static final String GUIDED = "body.layers." + (2 * (DEPTH / 2 - 1) + 1);

    private static final List<String> VARIANTS = List.of("from scratch", "distillation only", "hints + distillation");

    private FitNetsExperiment() {}

    private static Classifier classifier(Dataset train, Mlp.Spec spec, long seed) {
        Dataset.Moments m = train.moments(false);
        return new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32), new Mlp(spec, SplitMix64.derive(seed,
                "weights")));
    }

    private static Mlp.Spec student() {
        int[] sizes = new int[DEPTH + 2];
        java.util.Arrays.fill(sizes, WIDTH);
        sizes[0] = 784;
        sizes[DEPTH + 1] = 10;
        return Mlp.Spec.of(sizes).withActivation(Activation.tanh());
    }

    /** One variant's outcome on one seed: the test metrics by epoch, and the final evaluations. */
    private record Outcome(String variant, long seed, List<EpochMetrics> history, Evaluation test, Evaluation train) {}

    private static void run(Lab lab) throws IOException {
        Mnist.Splits data = lab.mnist();
        Dataset train = MnistRun.subset(data.train(), lab.size(10000, 600), lab.seed());
        Dataset test = data.test();
        int hintEpochs = lab.size(2, 1);
        int epochs = lab.size(4, 1); // of the distillation stage; scratch and distillation only get both
        int seeds = lab.size(3, 2);
        long started = System.nanoTime();

        Classifier teacher = classifier(train, Mlp.Spec.of(784, 256, 10), SplitMix64.derive(lab.seed(), "teacher")
                .nextLong());
        new Trainer(Trainer.Setup.of(teacher, Optimizers.adam(LR).over(teacher.trainableParameters()),
                DataLoader.shuffled(train, 64)).withEpochs(lab.size(4, 1)).withSeed(lab.seed())).fit();
        Evaluation teacherTest = Evaluation.of(teacher, test, LossFunction.crossEntropy(), 1000);
        lab.log("teacher 784-256-10: test accuracy %.2f%%", 100 * teacherTest.accuracy());

        List<Outcome> outcomes = new ArrayList<>();
        for (int s = 0; s < seeds; s++) {
            long seed = lab.seed() + s;
            for (String variant : VARIANTS) {
                outcomes.add(train(lab, variant, teacher, train, test, hintEpochs, epochs, seed));
                Outcome o = outcomes.getLast();
                lab.log("seed %d, %s: test accuracy %.2f%%, train loss %.4f", seed, variant, 100 * o.test().accuracy(),
                        o.train().loss());
            }
        }
        lab.log("all runs in %.1f s", (System.nanoTime() - started) / 1e9);
        report(lab, outcomes, teacherTest, hintEpochs, epochs, seeds);
    }

    private static Outcome train(Lab lab, String variant, Classifier teacher, Dataset train, Dataset test, int hintEpochs,
                                 int epochs, long seed) throws IOException {
        Classifier student = classifier(train, student(), seed);
        DataLoader loader = DataLoader.shuffled(train, 64);
        int total = hintEpochs + epochs;
        List<EpochMetrics> history;
        if (variant.equals("from scratch")) {
            history = new Trainer(Trainer.Setup.of(student, Optimizers.adam(LR).over(student.trainableParameters()),
                    loader).withTest(test).withEpochs(total).withSeed(seed)).fit();
        } else {
            boolean hints = variant.startsWith("hints");
            int distillEpochs = hints ? epochs : total;
            long steps = (long) distillEpochs * loader.batches(train.size());
            FitNets f = new FitNets(teacher, hints ? HINT : null, hints ? GUIDED : null, TEMPERATURE,
                    FitNets.linearLambda(4, 1, steps));
            FitNets.Result r = f.train(student, new FitNets.Plan(loader, null, test, hintEpochs, distillEpochs, seed,
                    (params, n) -> Optimizers.adam(LR).over(params), (stage, n) -> List.of(), null, null), false);
            history = new ArrayList<>();
            if (!r.hints().isEmpty()) {
                lab.log("seed %d, hint stage: hint loss %.4f after its first epoch, %.4f after its last", seed,
                        r.hints().getFirst().trainLoss(), r.hints().getLast().trainLoss());
            }
            for (EpochMetrics m : r.hints()) {
                history.add(m); // no test metrics in the hint stage (NaN)
            }
            for (EpochMetrics m : r.distillation()) {
                history.add(new EpochMetrics(r.hints().size() + m.epoch(), m.step(), m.trainLoss(), m.trainAccuracy(),
                        m.validationLoss(), m.validationAccuracy(), m.testLoss(), m.testAccuracy(), m.learningRate(),
                        m.seconds(), m.samplesPerSecond()));
            }
        }
        return new Outcome(variant, seed, history, Evaluation.of(student, test, LossFunction.crossEntropy(), 1000),
                Evaluation.of(student, train, LossFunction.crossEntropy(), 1000));
    }

    private static void report(Lab lab, List<Outcome> outcomes, Evaluation teacherTest, int hintEpochs, int epochs,
                               int seeds) throws IOException {
        Csv csv = new Csv("variant,seed,test_accuracy,test_loss,train_accuracy,train_loss");
        Csv curves = new Csv("variant,seed,epoch,train_loss,test_loss,test_accuracy");
        for (Outcome o : outcomes) {
            csv.row(o.variant(), o.seed(), o.test().accuracy(), o.test().loss(), o.train().accuracy(), o.train().loss());
            for (EpochMetrics m : o.history()) {
                curves.row(o.variant(), o.seed(), m.epoch(), m.trainLoss(), m.testLoss(), m.testAccuracy());
            }
        }
        lab.csv("results.csv", csv);
        lab.csv("history.csv", curves);
        LinePlot acc = new LinePlot("Test accuracy by epoch (mean over seeds)", "epoch", "test accuracy (%)");
        List<List<String>> rows = new ArrayList<>();
        for (String v : VARIANTS) {
            List<Outcome> of = outcomes.stream().filter(o -> o.variant().equals(v)).toList();
            int n = of.getFirst().history().size();
            double[] x = new double[n];
            double[] y = new double[n];
            for (int e = 0; e < n; e++) {
                x[e] = e + 1;
                for (Outcome o : of) {
                    y[e] += 100 * o.history().get(e).testAccuracy() / of.size();
                }
            }
            acc.series(v, x, y);
            rows.add(List.of(v, meanSd(of, o -> 100 * o.test().accuracy(), "%.2f"),
                    meanSd(of, o -> o.train().loss(), "%.4f"), meanSd(of, o -> o.test().loss(), "%.4f")));
        }
        rows.add(List.of("teacher 784-256-10", String.format(Locale.ROOT, "%.2f", 100 * teacherTest.accuracy()), "", ""));
        lab.figure("test_accuracy.png", "Test accuracy by epoch, mean over " + seeds + " seeds (the hint stage has none)",
                f -> acc.write(f, 900, 520));
        lab.table("Student 784-" + WIDTH + "×" + DEPTH + "-10 tanh, " + (hintEpochs + epochs) + " epochs each ("
                + hintEpochs + " of hints then " + epochs + " of distillation for FitNets), Adam lr " + LR + ", τ = "
                + TEMPERATURE + ", λ 4 → 1; mean ± standard deviation over " + seeds + " seeds",
                List.of("variant", "test acc %", "train loss", "test loss"), rows);
        verdict(lab, outcomes, "hints + distillation", "from scratch", seeds,
                "> 0 on every seed (the paper: hints make thin deep students trainable and better)");
        verdict(lab, outcomes, "hints + distillation", "distillation only", seeds,
                "> 0 on every seed (the paper: hints help beyond distillation)");
        verdict(lab, outcomes, "distillation only", "from scratch", seeds,
                "> 0 on every seed (Hinton et al.: soft targets help)");
    }

    /** Compares two variants seed by seed on test accuracy; holds when the first is ahead on every seed. */
    private static void verdict(Lab lab, List<Outcome> outcomes, String a, String b, int seeds, String expected) {
        double[] d = new double[seeds];
        for (int s = 0; s < seeds; s++) {
            d[s] = 100 * (accuracy(outcomes, a, s) - accuracy(outcomes, b, s));
        }
        double mean = java.util.Arrays.stream(d).average().orElseThrow();
        double sd = sd(d, mean);
        boolean every = java.util.Arrays.stream(d).allMatch(v -> v > 0);
        lab.verdict("test accuracy, " + a + " minus " + b, String.format(Locale.ROOT, "%+.2f ± %.2f points (%s)", mean,
                sd, String.join(", ", java.util.Arrays.stream(d).mapToObj(v -> String.format(Locale.ROOT, "%+.2f", v))
                        .toList())), expected, every);
    }

    private static double accuracy(List<Outcome> outcomes, String variant, int seedIndex) {
        return outcomes.stream().filter(o -> o.variant().equals(variant)).toList().get(seedIndex).test().accuracy();
    }

    private static String meanSd(List<Outcome> of, java.util.function.ToDoubleFunction<Outcome> f, String format) {
        double[] v = of.stream().mapToDouble(f).toArray();
        double mean = java.util.Arrays.stream(v).average().orElseThrow();
        return String.format(Locale.ROOT, format + " ± " + format, mean, sd(v, mean));
    }

    private static double sd(double[] v, double mean) {
        if (v.length < 2) {
            return 0;
        }
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
