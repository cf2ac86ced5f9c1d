package descent.spark;

import descent.cli.Hyperparameters;
import descent.cli.OptimizerNames;
import descent.data.Dataset;
import descent.io.SafeTensors;
import descent.nn.Module;
import descent.optim.Closure;
import descent.optim.Minimizer;
import descent.tensor.NdArray;
import descent.train.EpochMetrics;
import descent.train.Evaluation;
import descent.train.LossFunction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A full-batch method (L-BFGS, nonlinear CG, BFGS, Newton-CG) run on the driver over a loss that the cluster
 * evaluates ({@link FullBatchLoss}): one iteration per epoch of the history, the model and the
 * method's state checkpointed atomically after each.
 */
public final class FullBatchRun {

    static final String FORMAT = "descent-spark-fullbatch-checkpoint-1";

    private final FullBatchLoss loss;
    private final Module model;
    private final Minimizer method;
    private final Closure closure;
    private final Dataset train;
    private final Dataset test;
    private final int iterations;
    private final List<EpochMetrics> history = new ArrayList<>();

    /** {@code name} and {@code hyper}: a full-batch method and its hyper-parameters by the command line's names. */
    public FullBatchRun(JavaSparkContext sc, ModelFactory factory, String name, Map<String, String> hyper, Dataset train,
                        Dataset test, int partitions, int iterations) {
        this.loss = new FullBatchLoss(sc, factory, train, partitions);
        this.model = factory.create();
        this.method = OptimizerNames.minimizer(name, new Hyperparameters(hyper), model.trainableParameters());
        this.closure = loss.closure(model);
        this.train = train;
        this.test = test;
        this.iterations = iterations;
    }

    public Module model() {
        return model;
    }

    public List<EpochMetrics> history() {
        return Collections.unmodifiableList(history);
    }

    public long evaluations() {
        return loss.evaluations();
    }

    /** Runs the remaining iterations, checkpointing after each (when {@code checkpoint} is not null). */
    public List<EpochMetrics> fit(Path checkpoint, Consumer<EpochMetrics> onIteration) throws IOException {
        while (history.size() < iterations) {
            long start = System.nanoTime();
            long before = loss.evaluations();
            double value = method.step(closure);
            double seconds = (System.nanoTime() - start) / 1e9;
            Evaluation t = test == null ? null : Evaluation.of(model, test, LossFunction.crossEntropy(), 1000);
            EpochMetrics m = new EpochMetrics(history.size() + 1, loss.evaluations(), loss.lastLoss(),
                    loss.lastAccuracy(), Double.NaN, Double.NaN, t == null ? Double.NaN : t.loss(),
                    t == null ? Double.NaN : t.accuracy(), Double.NaN, seconds,
                    (loss.evaluations() - before) * (double) train.size() / seconds);
            history.add(m);
            if (!Double.isFinite(value)) {
                throw new IllegalStateException("the full-batch loss is not finite at iteration " + m.epoch());
            }
            if (checkpoint != null) {
                write(checkpoint);
            }
            onIteration.accept(m);
        }
        return history();
    }

    private void write(Path file) throws IOException {
        Map<String, NdArray> tensors = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> tensors.put(LocalSteps.MODEL + k, v));
        method.stateDict().forEach((k, v) -> tensors.put(LocalSteps.OPTIMIZER + k, v));
        SafeTensors.save(file, tensors, Map.of("format", FORMAT, "history", EpochMetrics.csv(history)));
    }

    /** Puts the run where a checkpoint left it. */
    public void resume(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.load(file);
        if (!FORMAT.equals(c.metadata().get("format"))) {
            throw new IOException(file + ": not a full-batch Spark checkpoint (format is " + c.metadata().get("format")
                    + ", expected " + FORMAT + ")");
        }
        model.loadStateDict(LocalSteps.prefixed(c.tensors(), LocalSteps.MODEL), true);
        method.loadStateDict(LocalSteps.prefixed(c.tensors(), LocalSteps.OPTIMIZER));
        history.clear();
        history.addAll(EpochMetrics.parseCsvTable(c.metadata().getOrDefault("history", "")));
    }
}
