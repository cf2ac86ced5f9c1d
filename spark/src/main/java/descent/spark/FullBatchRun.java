package descent.spark;

import descent.cli.Hyperparameters;
import descent.cli.OptimizerNames;
import descent.data.Dataset;
import descent.nn.Module;
import descent.optim.Minimizer;
import descent.train.EpochMetrics;
import descent.train.FullBatchTraining;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A full-batch method (L-BFGS, nonlinear CG, BFGS, Newton-CG) run on the driver over a loss that the
 * cluster evaluates ({@link FullBatchLoss}): the same {@link FullBatchTraining} as on one machine,
 * one iteration per epoch of the history, checkpointed atomically after each.
 */
public final class FullBatchRun {

    private final FullBatchLoss loss;
    private final Module model;
    private final FullBatchTraining training;

    /** {@code name} and {@code hyper}: a full-batch method and its hyper-parameters by the command line's names. */
    public FullBatchRun(JavaSparkContext sc, ModelFactory factory, String name, Map<String, String> hyper, Dataset train,
                        Dataset test, int partitions, int iterations) {
        this.loss = new FullBatchLoss(sc, factory, train, partitions);
        this.model = factory.create();
        Minimizer method = OptimizerNames.minimizer(name, new Hyperparameters(hyper), model.trainableParameters());
        this.training = new FullBatchTraining(FullBatchTraining.Setup.of(model, method, loss.closure(model), iterations)
                .withTest(test));
    }

    public Module model() {
        return model;
    }

    public List<EpochMetrics> history() {
        return training.history();
    }

    /** Why the run ended before its last iteration (the method stalled), or null. */
    public String stopReason() {
        return training.stopReason();
    }

    public long evaluations() {
        return loss.evaluations();
    }

    /** Runs the remaining iterations, checkpointing after each (when {@code checkpoint} is not null). */
    public List<EpochMetrics> fit(Path checkpoint, Consumer<EpochMetrics> onIteration) throws IOException {
        return training.fit(checkpoint, onIteration);
    }

    /** Puts the run where a checkpoint left it. */
    public void resume(Path file) throws IOException {
        training.resume(file);
    }
}
