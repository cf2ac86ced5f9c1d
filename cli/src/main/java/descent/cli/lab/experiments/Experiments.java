package descent.cli.lab.experiments;

import descent.cli.lab.Experiment;
import java.util.List;
import java.util.Locale;

/** Every experiment of the lab, in the order of the notes. */
public final class Experiments {

    private static final List<Experiment> ALL = List.of(InitVariance.EXPERIMENT, Activations.EXPERIMENT,
            SymmetryExperiment.EXPERIMENT, DeepLinear.EXPERIMENT, Optimizers2d.EXPERIMENT, OptimizersMnist.EXPERIMENT,
            Unbiasing.EXPERIMENT, StepSize.EXPERIMENT, BatchNormComparison.EXPERIMENT, DropoutComparison.EXPERIMENT,
            WeightDecayComparison.EXPERIMENT, EarlyStoppingComparison.EXPERIMENT, AugmentationComparison.EXPERIMENT,
            Polyak.EXPERIMENT, InputNormalization.EXPERIMENT,
            DataDependentInitExperiment.EXPERIMENT, SparseInit.EXPERIMENT, ResidualGradients.EXPERIMENT,
            SecondOrder.EXPERIMENT, SparseCodingExperiment.EXPERIMENT, CurriculumComparison.EXPERIMENT,
            ContinuationExperiment.EXPERIMENT, FitNetsExperiment.EXPERIMENT,
            GreedyPretrainingExperiment.EXPERIMENT, AuxHeadsExperiment.EXPERIMENT, TransferExperiment.EXPERIMENT);

    private Experiments() {}

    public static List<Experiment> all() {
        return ALL;
    }

    public static List<String> names() {
        return ALL.stream().map(Experiment::name).toList();
    }

    /** The experiment called {@code name}, or a clear error listing the names. */
    public static Experiment named(String name) {
        return ALL.stream().filter(e -> e.name().equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown experiment '" + name + "' (expected all or one of "
                        + String.join(", ", names()) + ")"));
    }
}
