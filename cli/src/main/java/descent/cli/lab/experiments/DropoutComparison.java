package descent.cli.lab.experiments;

import descent.cli.lab.Comparison;
import descent.cli.lab.Experiment;
import descent.nn.Mlp;

/** The overfitting MLP with and without dropout 0.5. */
final class DropoutComparison {

    private static final Mlp.Spec SPEC = Comparison.overfittingMlp();

    static final Experiment EXPERIMENT = new Experiment("dropout", "Dropout", "Dropout zeroes each hidden unit with "
            + "probability p during training (and scales the survivors by 1/(1−p)), so no unit can rely on particular "
            + "others: an average over thinned networks. It regularizes: the network overfits its training set less "
            + "and the generalization gap shrinks.",
            new Comparison(Comparison.sgd("without dropout", SPEC, 50), Comparison.sgd("dropout 0.5",
                    SPEC.withDropout(0.5), 50), false, Comparison::gapShrinks));

    private DropoutComparison() {}
}
