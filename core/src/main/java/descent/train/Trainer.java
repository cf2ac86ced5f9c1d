package descent.train;

import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.nn.ForwardObserver;
import descent.nn.Module;
import descent.optim.Optimizer;
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
     * What to train on what, and how: {@link #of} names the model, its optimizer and the training
     * data, and defaults the rest (cross-entropy, no validation or test set, one epoch, seed 0, no
     * callbacks, no checkpoint file); {@code with...} sets each.
     *
     * @param validation evaluated after each epoch (early stopping watches its loss), or null
     * @param test       evaluated after each epoch, or null
     * @param checkpoint where the whole run is written after each epoch, or null for none
     */
    public record Setup(Module model, Optimizer optimizer, DataLoader train, LossFunction loss, Dataset validation,
                        Dataset test, int epochs, long seed, List<Callback> callbacks, Path checkpoint) {
        public Setup {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
            }
            callbacks = List.copyOf(callbacks);
        }

        public static Setup of(Module model, Optimizer optimizer, DataLoader train) {
            return new Setup(model, optimizer, train, LossFunction.crossEntropy(), null, null, 1, 0, List.of(), null);
        }

        public Setup withLoss(LossFunction l) {
            return new Setup(model, optimizer, train, l, validation, test, epochs, seed, callbacks, checkpoint);
        }

        public Setup withValidation(Dataset d) {
            return new Setup(model, optimizer, train, loss, d, test, epochs, seed, callbacks, checkpoint);
        }

        public Setup withTest(Dataset d) {
            return new Setup(model, optimizer, train, loss, validation, d, epochs, seed, callbacks, checkpoint);
        }

        public Setup withEpochs(int n) {
            return new Setup(model, optimizer, train, loss, validation, test, n, seed, callbacks, checkpoint);
        }

        /** The seed of data order, augmentation and dropout. */
        public Setup withSeed(long s) {
            return new Setup(model, optimizer, train, loss, validation, test, epochs, s, callbacks, checkpoint);
        }

        public Setup withCallbacks(List<? extends Callback> c) {
            return new Setup(model, optimizer, train, loss, validation, test, epochs, seed, List.copyOf(c), checkpoint);
        }

        public Setup withCallbacks(Callback... c) {
            return withCallbacks(List.of(c));
        }

        public Setup withCheckpoint(Path file) {
            return new Setup(model, optimizer, train, loss, validation, test, epochs, seed, callbacks, file);
        }
    }

    static final int EVAL_BATCH = 1000;

    private final Setup setup;
    private final TrainStep stepper;
    private final SplitMix64 orderRng;
    private final SplitMix64 augmentRng;
    private final SplitMix64 dropoutRng;
    /** By name, in a fixed order, so checkpoints of equal runs are equal byte for byte. */
    private final Map<String, SplitMix64> generators;
    private final List<EpochMetrics> history = new ArrayList<>();
    private int epoch;
    private long step;
    private String stopReason;
    private Consumer<String> notes = s -> {};

    public Trainer(Setup setup) {
        this.setup = setup;
        this.stepper = new TrainStep(setup.model(), setup.optimizer(), setup.loss());
        this.orderRng = SplitMix64.derive(setup.seed(), "data order");
        this.augmentRng = SplitMix64.derive(setup.seed(), "augmentation");
        this.dropoutRng = SplitMix64.derive(setup.seed(), "dropout");
        this.generators = new LinkedHashMap<>();
        generators.put("order", orderRng);
        generators.put("augmentation", augmentRng);
        generators.put("dropout", dropoutRng);
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
        setup.callbacks().forEach(c -> c.onTrainStart(this));
        while (epoch < setup.epochs() && stopReason == null) {
            runEpoch();
            if (setup.checkpoint() != null) {
                Checkpoint.write(setup.checkpoint(), this);
            }
        }
        setup.callbacks().forEach(c -> c.onTrainEnd(this));
        return history();
    }

    /**
     * One step of training on {@code batch} (what each step of {@link #fit} does): the callbacks'
     * observers watch it, the trainer's dropout generator draws for it, and the callbacks hear of
     * it after the optimizer step.
     */
    public TrainStep.Result step(Batch batch) {
        TrainStep.Result r = stepper.run(batch, dropoutRng, observer(step + 1), step + 1, epoch + 1);
        step++;
        setup.callbacks().forEach(c -> c.onBatchEnd(this, batch, r.loss(), r.correct()));
        return r;
    }

    private void runEpoch() {
        int number = epoch + 1;
        double lossSum = 0;
        long correct = 0;
        int examples = 0;
        long start = System.nanoTime();
        try (DataLoader.Epoch batches = setup.train().epoch(epoch, orderRng, augmentRng)) {
            int n = batches.batches();
            setup.callbacks().forEach(c -> c.onEpochStart(this, number, n));
            while (batches.hasNext()) {
                Batch batch = batches.next();
                TrainStep.Result r = step(batch);
                lossSum += r.loss() * batch.size();
                correct += r.correct();
                examples += batch.size();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Module model = setup.model();
        Evaluation val = setup.validation() == null ? null
                : Evaluation.of(model, setup.validation(), setup.loss(), EVAL_BATCH);
        Evaluation test = setup.test() == null ? null : Evaluation.of(model, setup.test(), setup.loss(), EVAL_BATCH);
        epoch = number;
        EpochMetrics m = new EpochMetrics(number, step, lossSum / examples, (double) correct / examples,
                val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(),
                test == null ? Double.NaN : test.loss(), test == null ? Double.NaN : test.accuracy(),
                setup.optimizer().learningRate(), seconds, examples / seconds);
        history.add(m);
        setup.callbacks().forEach(c -> c.onEpochEnd(this, m));
    }

    /** The callbacks' observers for a step combined, or null when none wants to watch it. */
    private ForwardObserver observer(long step) {
        List<ForwardObserver> watching = new ArrayList<>();
        for (Callback c : setup.callbacks()) {
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
