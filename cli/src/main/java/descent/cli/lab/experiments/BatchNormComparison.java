package descent.cli.lab.experiments;

import descent.cli.lab.Comparison;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.lab.MnistRun;
import descent.nn.Activation;
import descent.nn.Mlp;
import java.util.Locale;

/** A deep sigmoid MLP with and without batch norm: how fast each trains with the same optimizer. */
final class BatchNormComparison {

    private static final Mlp.Spec SPEC = Mlp.Spec.of(784, 256, 256, 256, 256, 10).withActivation(Activation.sigmoid());

    static final Experiment EXPERIMENT = new Experiment("batchnorm", "Batch normalization", "Batch norm standardizes "
            + "each hidden unit over the batch, then rescales it by learned γ and β. In a deep sigmoid network the "
            + "units otherwise saturate and gradients vanish; with batch norm every layer sees well-scaled inputs, so "
            + "the same optimizer trains much faster.",
            new Comparison(MnistRun.of("without batch norm", SPEC, "sgd", 5, "lr", "0.05"),
                    MnistRun.of("batch norm", SPEC.withBatchNorm(true), "sgd", 5, "lr", "0.05"), false,
                    BatchNormComparison::judge));

    private BatchNormComparison() {}

    private static void judge(Lab lab, MnistRun.Result without, MnistRun.Result with) {
        double first = with.history().getFirst().testAccuracy() - without.history().getFirst().testAccuracy();
        lab.verdict("test accuracy after epoch 1, with minus without batch norm", points(first),
                "> 0 (batch norm trains faster)", first > 0);
        double last = with.test().accuracy() - without.test().accuracy();
        lab.verdict("final test accuracy, with minus without", points(last), "> 0", last > 0);
    }

    private static String points(double fractionDifference) {
        return String.format(Locale.ROOT, "%+.2f points", 100 * fractionDifference);
    }
}
