package descent.cli.lab;

import descent.data.Dataset;
import descent.data.Mnist;
import descent.nn.Mlp;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * A technique with and without, on the same data, initial weights and data order: training curves,
 * final train and test accuracy side by side, and the generalization gap between them. The
 * training set is a subset of MNIST small enough for the network to overfit it. As the body of an
 * experiment it trains both runs, hands them to its judge for the verdicts, and reports them.
 *
 * @param without the run without the technique
 * @param with the run with it; a smoke run keeps its early stopping but waits at most one epoch
 * @param validation whether a fifth of the training subset is held out for validation
 * @param judge gives the verdicts on the pair
 */
public record Comparison(MnistRun without, MnistRun with, boolean validation, Judge judge) implements Experiment.Body {

    /** Judges the pair and adds the verdicts. */
    @FunctionalInterface
    public interface Judge {
        void judge(Lab lab, MnistRun.Result without, MnistRun.Result with);
    }

    /** Training examples: few enough to overfit in a few seconds per epoch. */
    public static final int TRAIN_EXAMPLES = 2000;

    /** The MLP that the regularizers are compared on: wide enough to memorize {@link #TRAIN_EXAMPLES} images. */
    public static Mlp.Spec overfittingMlp() {
        return Mlp.Spec.of(784, 512, 512, 10);
    }

    /** SGD with learning rate 0.02 and momentum 0.9, plus {@code extra} hyper-parameters as name, value pairs. */
    public static MnistRun sgd(String label, Mlp.Spec spec, int epochs, String... extra) {
        String[] h = new String[4 + extra.length];
        h[0] = "lr";
        h[1] = "0.02";
        h[2] = "momentum";
        h[3] = "0.9";
        System.arraycopy(extra, 0, h, 4, extra.length);
        return MnistRun.of(label, spec, "sgd", epochs, h);
    }

    /**
     * The judge of a regularizer: it should shrink the generalization gap and lower the test loss.
     * Regularizers are judged on the loss: an overfit network is overconfident on examples it gets
     * wrong, which the test loss shows well before the test accuracy does.
     */
    public static void gapShrinks(Lab lab, MnistRun.Result without, MnistRun.Result with) {
        lab.verdict("generalization gap in loss (test − train cross-entropy)", String.format(Locale.ROOT,
                "%.4f with, %.4f without", with.lossGap(), without.lossGap()), "smaller with " + lab.experimentName(),
                with.lossGap() < without.lossGap());
        lab.verdict("test loss, with vs without", String.format(Locale.ROOT, "%.4f vs %.4f (test accuracy %s vs %s %%)",
                with.test().loss(), without.test().loss(), MnistRun.pct(with.test().accuracy()),
                MnistRun.pct(without.test().accuracy())), "lower with " + lab.experimentName(),
                with.test().loss() < without.test().loss());
    }

    @Override
    public void run(Lab lab) throws IOException {
        Mnist.Splits data = lab.mnist();
        Dataset train = MnistRun.subset(data.train(), lab.size(TRAIN_EXAMPLES, TRAIN_EXAMPLES), lab.seed());
        Dataset val = null;
        if (validation) {
            Dataset.Split s = train.split(0.2, descent.train.SplitMix64.derive(lab.seed(), "validation split"));
            train = s.train();
            val = s.validation();
        }
        int epochs = lab.size(without.epochs(), 3);
        MnistRun a = without.withEpochs(epochs);
        // A smoke run still stops early, after one epoch without improvement.
        MnistRun b = with.withEpochs(epochs).withEarlyStopping(lab.size(with.patience(), Math.min(with.patience(), 1)));
        lab.text(String.format(Locale.ROOT, "%d training examples%s, %d test examples; MLP %s, %s; %s %s, batch %d, up "
                        + "to %d epochs; the same seed (initial weights, data order) for both.", train.size(),
                val == null ? "" : ", " + val.size() + " validation", data.test().size(),
                java.util.Arrays.toString(a.spec().sizes()), a.spec().activation().name(), a.optimizer(), a.hyper(),
                a.batchSize(), epochs));
        MnistRun.Result ra = a.train(lab, train, val, data.test());
        MnistRun.Result rb = b.train(lab, train, val, data.test());
        judge.judge(lab, ra, rb);
        MnistRun.report(lab, "", List.of(ra, rb));
    }
}
