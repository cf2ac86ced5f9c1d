package descent.cli.lab.experiments;

import descent.cli.Hyperparameters;
import descent.cli.OptimizerNames;
import descent.cli.lab.Batches;
import descent.cli.lab.Csv;
import descent.cli.lab.DeepNets;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.plot.LinePlot;
import descent.data.Dataset;
import descent.diagnostics.Symmetry;
import descent.init.Init;
import descent.nn.Classifier;
import descent.nn.Mlp;
import descent.nn.Standardize;
import descent.tensor.DType;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import descent.train.TrainStep;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Constant versus random initialization: how many hidden units are really different, step by step. */
final class SymmetryExperiment {

    static final Experiment EXPERIMENT = new Experiment("symmetry",
            "Symmetry breaking: constant vs random initialization",
            "Hidden units of a dense layer are interchangeable. If they start with equal incoming weights, they "
            + "compute the same value, receive the same gradient and take the same step, so they stay equal for "
            + "ever: a layer of 64 units behaves like one. Random initialization breaks the symmetry. Units are "
            + "counted as distinct when their incoming weights and bias differ by more than 1e-6 of the layer's "
            + "largest weight.", SymmetryExperiment::run);

    private static final int[] SIZES = {784, 64, 64, 10};

    private SymmetryExperiment() {}

    private static void run(Lab lab) throws IOException {
        Dataset train = lab.mnist().train();
        int steps = lab.size(600, 20);
        int every = lab.size(25, 5);
        Csv csv = new Csv("init,step,layer,distinct_units");
        LinePlot units = new LinePlot("Distinct units per hidden layer", "step", "distinct units");
        LinePlot loss = new LinePlot("Training loss (SGD lr 0.05, momentum 0.9)", "step", "cross-entropy").logY();
        List<List<String>> rows = new ArrayList<>();
        for (String init : List.of("constant", "random")) {
            Mlp.Spec spec = Mlp.Spec.of(SIZES).withDtype(DType.FLOAT64);
            if (init.equals("constant")) {
                spec = spec.withInit(Init.constant(0.01));
            }
            Mlp mlp = new Mlp(spec, SplitMix64.derive(lab.seed(), "weights"));
            Classifier model = new Classifier(standardize(train), mlp);
            List<double[]> counts = new ArrayList<>();
            double[] losses = new double[steps];
            Hyperparameters h = Hyperparameters.of("lr", "0.05", "momentum", "0.9");
            TrainStep stepper = new TrainStep(model, OptimizerNames.firstOrder("sgd", h).over(model.trainableParameters()),
                    LossFunction.crossEntropy());
            Batches batches = new Batches(train, 128, SplitMix64.derive(lab.seed(), "data order"), DType.FLOAT64);
            for (int s = 0; s <= steps; s++) {
                if (s % every == 0) {
                    Map<String, Integer> d = Symmetry.distinctUnits(mlp, Symmetry.TOLERANCE);
                    List<Integer> hidden = new ArrayList<>(d.values()).subList(0, SIZES.length - 2);
                    counts.add(new double[] {s, hidden.get(0), hidden.get(1)});
                    for (int l = 0; l < hidden.size(); l++) {
                        csv.row(init, s, l + 1, hidden.get(l));
                    }
                }
                if (s == steps) {
                    break;
                }
                losses[s] = batches.step(stepper);
            }
            double[] x = counts.stream().mapToDouble(r -> r[0]).toArray();
            for (int l = 1; l <= 2; l++) {
                int col = l;
                units.series(init + ", layer " + l, x, counts.stream().mapToDouble(r -> r[col]).toArray());
            }
            loss.series(init, DeepNets.count(steps), losses);
            double[] last = counts.getLast();
            rows.add(List.of(init, Integer.toString((int) last[1]), Integer.toString((int) last[2]),
                    Csv.num(DeepNets.tailMean(losses, 20))));
            int expected = init.equals("constant") ? 1 : SIZES[1];
            lab.verdict(init + " initialization: distinct units in hidden layers 1 and 2 after " + steps + " steps",
                    (int) last[1] + " and " + (int) last[2], expected + " and " + expected,
                    last[1] == expected && last[2] == expected);
        }
        lab.csv("distinct_units.csv", csv);
        lab.figure("distinct_units.png", "Distinct hidden units during training", f -> units.write(f, 900, 480));
        lab.figure("training_loss.png", "Training loss", f -> loss.write(f, 900, 480));
        lab.table("After training", List.of("initialization", "distinct units, layer 1", "layer 2", "training loss, last 20 steps"),
                rows);
    }

    private static Standardize standardize(Dataset train) {
        Dataset.Moments m = train.moments(false);
        return new Standardize(m.mean(), m.std(), DType.FLOAT64);
    }
}
