package descent.cli.lab.experiments;

import descent.cli.lab.Comparison;
import descent.cli.lab.Experiment;
import descent.nn.Mlp;

/** The overfitting MLP with and without random shifts, rotations and scalings of its training images. */
final class AugmentationComparison {

    private static final Mlp.Spec SPEC = Comparison.overfittingMlp();

    static final Experiment EXPERIMENT = new Experiment("augmentation", "Data augmentation", "Random shifts, "
            + "rotations and scalings of the training images make new examples with the same label: more data for "
            + "free, and invariance to transformations that do not change the digit. Test accuracy rises and the gap "
            + "shrinks.",
            new Comparison(Comparison.sgd("without augmentation", SPEC, 50),
                    Comparison.sgd("augmented", SPEC, 50).withAugment("shift=2,rotation=10,scale=0.1"), false,
                    Comparison::gapShrinks));

    private AugmentationComparison() {}
}
