package descent.train;

import descent.data.Dataset;
import descent.io.SafeTensors;
import descent.nn.Module;
import descent.optim.Minimizer;
import descent.optim.fullbatch.SecondOrderClosure;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Training by a full-batch method (L-BFGS, nonlinear CG, BFGS, Newton-CG): each iteration is one
 * step of the method on the mean loss over the whole training set, with as many evaluations of it
 * as the method's line search takes. An iteration is one row of the history (the {@code epoch}
 * column counts iterations, {@code step} the loss evaluations so far); the run is checkpointed
 * atomically after each and resumes bit-exactly. It stops early when the method stalls (its line
 * search finds no lower point: a minimum, or the limit of floating-point precision).
 */
public final class FullBatchTraining {

    /** Checkpoints of full-batch runs, on one machine or on a cluster. */
    public static final String FORMAT = "descent-fullbatch-checkpoint-1";
    /** What the Spark module's first full-batch checkpoints were called; they hold the same keys. */
    private static final String SPARK_FORMAT = "descent-spark-fullbatch-checkpoint-1";
    private static final String MODEL = "model/";
    private static final String METHOD = "optimizer/";

    /** The mean loss over the training set, with what it saw at the last point it evaluated. */
    public interface Loss extends SecondOrderClosure {

        /** The mean loss at the last point evaluated: after a step, the point the method accepted. */
        double lastLoss();

        /** The training accuracy at that point. */
        double lastAccuracy();

        /** How many times the loss has been evaluated. */
        long evaluations();

        /** The training examples one evaluation sees. */
        int examples();
    }

    /**
     * What to train and how long.
     *
     * @param model the model whose trainable parameters {@code method} moves
     * @param method a minimizer over those parameters, stepped on {@code loss}
     * @param loss the full-batch loss at the model's current parameters
     * @param iterations how many steps of the method the run takes
     * @param validation evaluated after each iteration, or null
     * @param test evaluated after each iteration, or null
     */
    public record Setup(Module model, Minimizer method, Loss loss, int iterations, Dataset validation, Dataset test) {
        public Setup {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(loss, "loss");
            if (iterations < 1) {
                throw new IllegalArgumentException("a full-batch run needs at least one iteration, got " + iterations);
            }
        }

        public static Setup of(Module model, Minimizer method, Loss loss, int iterations) {
            return new Setup(model, method, loss, iterations, null, null);
        }

        public Setup withValidation(Dataset d) {
            return new Setup(model, method, loss, iterations, d, test);
        }

        public Setup withTest(Dataset d) {
            return new Setup(model, method, loss, iterations, validation, d);
        }
    }

    private final Setup setup;
    private final List<EpochMetrics> history = new ArrayList<>();
    private String stopReason;
    /** Loss evaluations before this process's: those of the iterations a resumed run already has. */
    private long evaluationsBefore;

    public FullBatchTraining(Setup setup) {
        this.setup = setup;
    }

    public List<EpochMetrics> history() {
        return Collections.unmodifiableList(history);
    }

    /** Why the run ended before its last iteration, or null. */
    public String stopReason() {
        return stopReason;
    }

    /**
     * Runs the remaining iterations, writing {@code checkpoint} (when not null) after each and
     * passing each iteration's metrics to {@code onIteration}.
     */
    public List<EpochMetrics> fit(Path checkpoint, Consumer<EpochMetrics> onIteration) throws IOException {
        Loss loss = setup.loss();
        while (history.size() < setup.iterations() && stopReason == null) {
            long start = System.nanoTime();
            long before = loss.evaluations();
            double value = setup.method().step(loss);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!Double.isFinite(value) || !Double.isFinite(loss.lastLoss())) {
                throw new NonFiniteException(loss.evaluations(), history.size() + 1, "the full-batch training loss");
            }
            Evaluation v = evaluate(setup.validation());
            Evaluation t = evaluate(setup.test());
            history.add(new EpochMetrics(history.size() + 1, evaluationsBefore + loss.evaluations(), loss.lastLoss(), loss.lastAccuracy(),
                    v == null ? Double.NaN : v.loss(), v == null ? Double.NaN : v.accuracy(),
                    t == null ? Double.NaN : t.loss(), t == null ? Double.NaN : t.accuracy(), Double.NaN, seconds,
                    (loss.evaluations() - before) * (double) loss.examples() / seconds));
            if (setup.method().stalled()) {
                stopReason = "stalled at iteration " + history.size() + ": the line search found no lower point "
                        + "(a minimum, or the limit of precision)";
            }
            if (checkpoint != null) {
                write(checkpoint);
            }
            onIteration.accept(history.getLast());
        }
        return history();
    }

    private Evaluation evaluate(Dataset d) {
        return d == null ? null : Evaluation.of(setup.model(), d, LossFunction.crossEntropy(), 1000);
    }

    private void write(Path file) throws IOException {
        Map<String, NdArray> tensors = new LinkedHashMap<>();
        setup.model().stateDict().forEach((k, v) -> tensors.put(MODEL + k, v));
        setup.method().stateDict().forEach((k, v) -> tensors.put(METHOD + k, v));
        Map<String, String> text = new LinkedHashMap<>();
        text.put("format", FORMAT);
        text.put("history", EpochMetrics.csv(history));
        if (stopReason != null) {
            text.put("stop_reason", stopReason);
        }
        SafeTensors.save(file, tensors, text);
    }

    /** Puts the run where a checkpoint written by {@link #fit} left it. */
    public void resume(Path file) throws IOException {
        Checkpoint.naming(file, () -> resumeFrom(file));
    }

    private void resumeFrom(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.load(file);
        String format = c.metadata().get("format");
        if (!FORMAT.equals(format) && !SPARK_FORMAT.equals(format)) {
            throw new IOException(file + ": not a full-batch checkpoint (format is " + format + ", expected " + FORMAT
                    + ")");
        }
        setup.model().loadStateDict(Checkpoint.prefixed(c.tensors(), MODEL), true);
        setup.method().loadStateDict(Checkpoint.prefixed(c.tensors(), METHOD));
        history.clear();
        history.addAll(EpochMetrics.parseCsvTable(c.metadata().getOrDefault("history", "")));
        stopReason = c.metadata().get("stop_reason");
        evaluationsBefore = history.isEmpty() ? 0 : history.getLast().step() - setup.loss().evaluations();
    }
}
