package descent.cli.lab;

import descent.data.Dataset;
import descent.data.Mnist;
import descent.nn.Activation;
import descent.nn.Mlp;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * A technique with and without, on the same data, initial weights and data order: training curves,
 * final train and test accuracy side by side, and the generalization gap between them. The
 * training set is a subset of MNIST small enough for the network to overfit it.
 */
final class Comparison implements Experiment {

    /** Judges the pair and adds the verdicts. */
    @FunctionalInterface
    interface Judge {
        void judge(Lab lab, MnistRun.Result without, MnistRun.Result with);
    }

    private final String name;
    private final String title;
    private final String lesson;
    private final MnistRun without;
    private final MnistRun with;
    private final boolean validation;
    private final Judge judge;

    private Comparison(String name, String title, String lesson, MnistRun without, MnistRun with, boolean validation,
                       Judge judge) {
        this.name = name;
        this.title = title;
        this.lesson = lesson;
        this.without = without;
        this.with = with;
        this.validation = validation;
        this.judge = judge;
    }

    /** Training examples: few enough to overfit in a few seconds per epoch. */
    static final int TRAIN_EXAMPLES = 2000;
    private static final int[] HIDDEN = {784, 512, 512, 10};

    private static MnistRun sgd(String label, Mlp.Spec spec, int epochs, String... extra) {
        String[] h = new String[4 + extra.length];
        h[0] = "lr";
        h[1] = "0.02";
        h[2] = "momentum";
        h[3] = "0.9";
        System.arraycopy(extra, 0, h, 4, extra.length);
        return MnistRun.of(label, spec, "sgd", epochs, h);
    }

    static Comparison dropout() {
        Mlp.Spec spec = Mlp.Spec.of(HIDDEN);
        return new Comparison("dropout", "Dropout", "Dropout zeroes each hidden unit with probability p during training "
                + "(and scales the survivors by 1/(1−p)), so no unit can rely on particular others: an average over "
                + "thinned networks. It regularizes: the network overfits its training set less and the generalization "
                + "gap shrinks.", sgd("without dropout", spec, 50), sgd("dropout 0.5", spec.withDropout(0.5), 50), false,
                Comparison::gapShrinks);
    }

    static Comparison weightDecay() {
        Mlp.Spec spec = Mlp.Spec.of(HIDDEN);
        return new Comparison("weight-decay", "Weight decay (L2)", "Adding λ‖θ‖²/2 to the loss (weight decay λθ in "
                + "the gradient) pulls weights toward zero, preferring simpler functions: the network fits its training "
                + "set less tightly and generalizes better.", sgd("without weight decay", spec, 50),
                sgd("weight decay 0.001", spec, 50, "weight_decay", "0.001"), false, Comparison::gapShrinks);
    }

    static Comparison augmentation() {
        Mlp.Spec spec = Mlp.Spec.of(HIDDEN);
        return new Comparison("augmentation", "Data augmentation", "Random shifts, rotations and scalings of the "
                + "training images make new examples with the same label: more data for free, and invariance to "
                + "transformations that do not change the digit. Test accuracy rises and the gap shrinks.",
                sgd("without augmentation", spec, 50),
                sgd("augmented", spec, 50).withAugment("shift=2,rotation=10,scale=0.1"), false, Comparison::gapShrinks);
    }

    static Comparison batchNorm() {
        Mlp.Spec spec = Mlp.Spec.of(784, 256, 256, 256, 256, 10).withActivation(Activation.sigmoid());
        return new Comparison("batchnorm", "Batch normalization", "Batch norm standardizes each hidden unit over the "
                + "batch, then rescales it by learned γ and β. In a deep sigmoid network the units otherwise saturate "
                + "and gradients vanish; with batch norm every layer sees well-scaled inputs, so the same optimizer "
                + "trains much faster.", MnistRun.of("without batch norm", spec, "sgd", 5, "lr", "0.05"),
                MnistRun.of("batch norm", spec.withBatchNorm(true), "sgd", 5, "lr", "0.05"), false,
                (lab, a, b) -> {
                    double first = b.history().getFirst().testAccuracy() - a.history().getFirst().testAccuracy();
                    lab.verdict("test accuracy after epoch 1, with minus without batch norm", pts(first),
                            "> 0 (batch norm trains faster)", first > 0);
                    double fin = b.test().accuracy() - a.test().accuracy();
                    lab.verdict("final test accuracy, with minus without", pts(fin), "> 0", fin > 0);
                });
    }

    static Comparison earlyStopping() {
        Mlp.Spec spec = Mlp.Spec.of(HIDDEN);
        MnistRun plain = sgd("40 epochs", spec, 40);
        return new Comparison("early-stopping", "Early stopping", "Training longer keeps lowering the training loss, "
                + "but past some epoch the validation loss rises: the network starts to memorize. Early stopping "
                + "watches the validation loss, stops after `patience` epochs without improvement and restores the "
                + "best weights.", plain, plain.named("early stopping (patience 5)").withEarlyStopping(5), true,
                (lab, a, b) -> {
                    int stopped = b.history().size();
                    lab.verdict("epochs trained with early stopping", stopped + " (best epoch " + b.bestEpoch() + ")",
                            "< " + a.history().size() + ", stopping once validation loss stops improving",
                            stopped < a.history().size());
                    lab.verdict("test loss, early-stopped vs trained to the end", String.format(Locale.ROOT, "%.4f vs %.4f",
                            b.test().loss(), a.test().loss()), "lower with early stopping", b.test().loss() < a.test().loss());
                });
    }

    /**
     * Regularizers are judged on the loss: an overfit network is overconfident on examples it gets
     * wrong, which the test loss shows well before the test accuracy does.
     */
    private static void gapShrinks(Lab lab, MnistRun.Result without, MnistRun.Result with) {
        lab.verdict("generalization gap in loss (test − train cross-entropy)", String.format(Locale.ROOT,
                "%.4f with, %.4f without", with.lossGap(), without.lossGap()), "smaller with " + lab.experimentName(),
                with.lossGap() < without.lossGap());
        lab.verdict("test loss, with vs without", String.format(Locale.ROOT, "%.4f vs %.4f (test accuracy %s vs %s %%)",
                with.test().loss(), without.test().loss(), MnistRun.pct(with.test().accuracy()),
                MnistRun.pct(without.test().accuracy())), "lower with " + lab.experimentName(),
                with.test().loss() < without.test().loss());
    }

    private static String pts(double fractionDifference) {
        return String.format(Locale.ROOT, "%+.2f points", 100 * fractionDifference);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public String lesson() {
        return lesson;
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
