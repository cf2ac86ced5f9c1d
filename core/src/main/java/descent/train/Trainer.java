package descent.train;

import descent.autograd.Tensor;
import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.nn.ForwardObserver;
import descent.nn.Mode;
import descent.nn.Module;
import descent.optim.Optimizer;
import descent.optim.Schedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Minibatch training of a classifier, epoch by epoch. Each step: zero the gradients, forward in
 * train mode, loss, backward, check that everything is finite, optimizer step. After each epoch the
 * model is evaluated on the validation and test sets (where given), the metrics go to the history
 * and the callbacks, and, where a checkpoint file is set, the whole state of the run is written to
 * it atomically.
 *
 * <p>All randomness comes from three {@link SplitMix64} generators derived from the seed — data
 * order, augmentation and dropout — whose states are part of the checkpoint, so a run resumed from
 * a checkpoint continues bit for bit as if it had never stopped, and two runs with the same seed
 * on the same machine and thread count agree exactly.
 */
public final class Trainer {

    /**
     * What to train on what. {@code validation} and {@code test} may be null; {@code schedule}, if
     * given, is only used to report the learning rate.
     */
    public record Setup(Module model, Optimizer optimizer, LossFunction loss, DataLoader train, Dataset validation,
                        Dataset test, int epochs, long seed, Schedule schedule) {
        public Setup {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
            }
        }
    }

    static final int EVAL_BATCH = 1000;

    private final Setup setup;
    private final List<Callback> callbacks;
    private final Path checkpoint;
    private final SplitMix64 orderRng;
    private final SplitMix64 augmentRng;
    private final SplitMix64 dropoutRng;
    /** By name, in a fixed order, so checkpoints of equal runs are equal byte for byte. */
    private final Map<String, SplitMix64> generators;
    /** The model's parameters, walked out of the module tree once rather than every step. */
    private final Map<String, Tensor> parameters;
    private final List<EpochMetrics> history = new ArrayList<>();
    private int epoch;
    private long step;
    private String stopReason;
    private Consumer<String> notes = s -> {};

    /** {@code checkpoint} may be null (no checkpoints). */
    public Trainer(Setup setup, List<Callback> callbacks, Path checkpoint) {
        this.setup = setup;
        this.callbacks = List.copyOf(callbacks);
        this.checkpoint = checkpoint;
        this.orderRng = SplitMix64.derive(setup.seed(), "data order");
        this.augmentRng = SplitMix64.derive(setup.seed(), "augmentation");
        this.dropoutRng = SplitMix64.derive(setup.seed(), "dropout");
        this.generators = new LinkedHashMap<>();
        generators.put("order", orderRng);
        generators.put("augmentation", augmentRng);
        generators.put("dropout", dropoutRng);
        this.parameters = setup.model().namedParameters();
    }

    /** Where messages such as "restored the best weights" go (default: nowhere). */
    public void onNote(Consumer<String> sink) {
        this.notes = sink;
    }

    void note(String message) {
        notes.accept(message);
    }

    public Module model() {
        return setup.model();
    }

    public Optimizer optimizer() {
        return setup.optimizer();
    }

    public Setup setup() {
        return setup;
    }

    /** Epochs completed. */
    public int epoch() {
        return epoch;
    }

    /** Optimizer steps taken. */
    public long step() {
        return step;
    }

    public List<EpochMetrics> history() {
        return Collections.unmodifiableList(history);
    }

    /** Why training stopped before its last epoch, or null. */
    public String stopReason() {
        return stopReason;
    }

    /** Ends training after the current epoch (callbacks call this). */
    public void requestStop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
    }

    /** Runs the remaining epochs (all of them, unless resumed) and returns the history. */
    public List<EpochMetrics> fit() throws IOException {
        callbacks.forEach(c -> c.onTrainStart(this));
        while (epoch < setup.epochs() && stopReason == null) {
            runEpoch();
            if (checkpoint != null) {
                Checkpoint.write(checkpoint, this);
            }
        }
        callbacks.forEach(c -> c.onTrainEnd(this));
        return history();
    }

    private void runEpoch() {
        Module model = setup.model();
        Optimizer optimizer = setup.optimizer();
        int number = epoch + 1;
        double lossSum = 0;
        long correct = 0;
        int examples = 0;
        long start = System.nanoTime();
        try (DataLoader.Epoch batches = setup.train().epoch(epoch, orderRng, augmentRng)) {
            int n = batches.batches();
            callbacks.forEach(c -> c.onEpochStart(this, number, n));
            while (batches.hasNext()) {
                Batch batch = batches.next();
                long dropoutState = dropoutRng.state();
                Tensor input = Tensor.of(batch.inputs());
                optimizer.zeroGrad();
                ForwardObserver observer = observer(step + 1);
                Tensor outputs = observer == null ? model.forward(input, Mode.train(dropoutRng))
                        : model.forward(input, Mode.train(dropoutRng), observer);
                Tensor loss = setup.loss().loss(outputs, batch.labels());
                loss.backward();
                double lossValue = loss.item();
                step++;
                if (!NonFiniteGuard.finite(lossValue, parameters)) {
                    throw new NonFiniteException(step, number, NonFiniteGuard.locate(model, input,
                            batch.labels(), setup.loss(), Mode.train(new SplitMix64(dropoutState))));
                }
                optimizer.step();
                int hits = Evaluation.correct(outputs, batch.labels());
                lossSum += lossValue * batch.size();
                correct += hits;
                examples += batch.size();
                callbacks.forEach(c -> c.onBatchEnd(this, batch, lossValue, hits));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Evaluation val = setup.validation() == null ? null
                : Evaluation.of(model, setup.validation(), setup.loss(), EVAL_BATCH);
        Evaluation test = setup.test() == null ? null : Evaluation.of(model, setup.test(), setup.loss(), EVAL_BATCH);
        epoch = number;
        EpochMetrics m = new EpochMetrics(number, step, lossSum / examples, (double) correct / examples,
                val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(),
                test == null ? Double.NaN : test.loss(), test == null ? Double.NaN : test.accuracy(),
                setup.schedule() == null ? Double.NaN : setup.schedule().at(Math.max(0, step - 1)),
                seconds, examples / seconds);
        history.add(m);
        callbacks.forEach(c -> c.onEpochEnd(this, m));
    }

    /** The callbacks' observers for a step combined, or null when none wants to watch it. */
    private ForwardObserver observer(long step) {
        List<ForwardObserver> watching = new ArrayList<>();
        for (Callback c : callbacks) {
            ForwardObserver o = c.observeStep(this, step);
            if (o != null) {
                watching.add(o);
            }
        }
        if (watching.isEmpty()) {
            return null;
        }
        return (name, module, output) -> watching.forEach(o -> o.output(name, module, output));
    }

    /** Puts the run in the state a checkpoint recorded; {@link #fit()} then continues from there. */
    public void resume(Path checkpointFile) throws IOException {
        Checkpoint.restore(checkpointFile, this);
    }

    // ---------------------------------------------------------------- for Checkpoint

    List<Callback> callbacks() {
        return callbacks;
    }

    void restoreProgress(int epoch, long step, String stopReason, List<EpochMetrics> history) {
        this.epoch = epoch;
        this.step = step;
        this.stopReason = stopReason;
        this.history.clear();
        this.history.addAll(history);
    }

    Map<String, SplitMix64> generators() {
        return Collections.unmodifiableMap(generators);
    }
}
