package descent.cli.lab.experiments;

import descent.cli.lab.Comparison;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.lab.MnistRun;
import java.util.Locale;

/** The overfitting MLP trained for 40 epochs, and the same run stopped by the validation loss. */
final class EarlyStoppingComparison {

    private static final MnistRun PLAIN = Comparison.sgd("40 epochs", Comparison.overfittingMlp(), 40);

    static final Experiment EXPERIMENT = new Experiment("early-stopping", "Early stopping", "Training longer keeps "
            + "lowering the training loss, but past some epoch the validation loss rises: the network starts to "
            + "memorize. Early stopping watches the validation loss, stops after `patience` epochs without improvement "
            + "and restores the best weights.",
            new Comparison(PLAIN, PLAIN.named("early stopping (patience 5)").withEarlyStopping(5), true,
                    EarlyStoppingComparison::judge));

    private EarlyStoppingComparison() {}

    private static void judge(Lab lab, MnistRun.Result plain, MnistRun.Result stopped) {
        int epochs = stopped.history().size();
        lab.verdict("epochs trained with early stopping", epochs + " (best epoch " + stopped.bestEpoch() + ")",
                "< " + plain.history().size() + ", stopping once validation loss stops improving",
                epochs < plain.history().size());
        lab.verdict("test loss, early-stopped vs trained to the end", String.format(Locale.ROOT, "%.4f vs %.4f",
                stopped.test().loss(), plain.test().loss()), "lower with early stopping",
                stopped.test().loss() < plain.test().loss());
    }
}
