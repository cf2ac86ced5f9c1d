package descent.cli.lab.experiments;

import descent.cli.lab.Comparison;
import descent.cli.lab.Experiment;
import descent.nn.Mlp;

/** The overfitting MLP with and without weight decay 0.001. */
final class WeightDecayComparison {

    private static final Mlp.Spec SPEC = Comparison.overfittingMlp();

    static final Experiment EXPERIMENT = new Experiment("weight-decay", "Weight decay (L2)", "Adding λ‖θ‖²/2 to the "
            + "loss (weight decay λθ in the gradient) pulls weights toward zero, preferring simpler functions: the "
            + "network fits its training set less tightly and generalizes better.",
            new Comparison(Comparison.sgd("without weight decay", SPEC, 50),
                    Comparison.sgd("weight decay 0.001", SPEC, 50, "weight_decay", "0.001"), false, Comparison::gapShrinks));

    private WeightDecayComparison() {}
}
