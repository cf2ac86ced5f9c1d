package descent.train;

import descent.autograd.Tensor;
import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.nn.BatchNorm1d;
import descent.nn.ForwardObserver;
import descent.nn.Module;
import descent.optim.Averaging;
import descent.optim.Optimizer;
import descent.tensor.NdArray;
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
 * it atomically; with {@link Setup#withCheckpointEvery} also inside epochs, every so many steps or
 * minutes, and a run resumed from such a checkpoint continues from that step (see {@link Checkpoint}).
 *
 * <p>All randomness comes from three {@link SplitMix64} generators derived from the seed — data
 * order, augmentation and dropout — whose states are part of the checkpoint, so a run resumed from
 * a checkpoint continues bit for bit as if it had never stopped, and two runs with the same seed
 * on the same machine and thread count agree exactly.
 *
 * <p>With {@link Setup#withAveraging iterate averaging} the trainer keeps an {@link Averaging} of
 * the trainable parameters and of batch norm's running statistics, folded in after each optimizer
 * step (not after the minibatches that gradient accumulation holds). Each epoch's validation and
 * test metrics are measured with the averaged weights swapped in (the history marks them
 * {@link EpochMetrics#averaged()}), early stopping watches and keeps those, the checkpoint holds
 * the average with its counters, and after {@link #fit()} the model holds the averaged weights.
 * Batch norm's running statistics are averaged with the same rule as the weights (PyTorch's
 * {@code AveragedModel(use_buffers=True)}) rather than recomputed by a pass over the training data
 * ({@code update_bn}): no extra pass at every evaluation, no data order or dropout draws to keep
 * for a bit-exact resume, and they come from the same window of iterates as the weights; what it
 * gives up is that they are a mean of the iterates' statistics, not the statistics of the mean,
 * which differ little when the averaged iterates are close.
 *
 * <p>A step whose loss or gradient is non-finite ends training by default; {@link #onNonFinite}
 * can make the trainer skip such steps or roll back to the last checkpoint at half the learning
 * rate instead ({@link OnNonFinite}).
 */
public final class Trainer {

    /**
     * What to train on what, and how: {@link #of} names the model, its optimizer and the training
     * data, and defaults the rest (cross-entropy, no validation or test set, one epoch, seed 0, no
     * callbacks, no checkpoint file, no averaging); {@code with...} sets each.
     *
     * @param validation evaluated after each epoch (early stopping watches its loss), or null
     * @param test       evaluated after each epoch, or null
     * @param checkpoint where the whole run is written after each epoch, or null for none
     * @param averaging  the average of the iterates to keep and evaluate, or null for none
     * @param checkpointEvery when to write the checkpoint inside an epoch too (null: at epoch ends only)
     */
    public record Setup(Module model, Optimizer optimizer, DataLoader train, LossFunction loss, Dataset validation,
                        Dataset test, int epochs, long seed, List<Callback> callbacks, Path checkpoint,
                        Averaging.Spec averaging, CheckpointInterval checkpointEvery) {
        public Setup {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
            }
            callbacks = List.copyOf(callbacks);
            checkpointEvery = checkpointEvery == null ? CheckpointInterval.EPOCHS : checkpointEvery;
        }

        public static Setup of(Module model, Optimizer optimizer, DataLoader train) {
            return new Setup(model, optimizer, train, LossFunction.crossEntropy(), null, null, 1, 0, List.of(), null,
                    null, CheckpointInterval.EPOCHS);
        }

        public Setup withLoss(LossFunction l) {
            return new Setup(model, optimizer, train, l, validation, test, epochs, seed, callbacks, checkpoint,
                    averaging, checkpointEvery);
        }

        public Setup withValidation(Dataset d) {
            return new Setup(model, optimizer, train, loss, d, test, epochs, seed, callbacks, checkpoint, averaging,
                    checkpointEvery);
        }

        public Setup withTest(Dataset d) {
            return new Setup(model, optimizer, train, loss, validation, d, epochs, seed, callbacks, checkpoint,
                    averaging, checkpointEvery);
        }

        public Setup withEpochs(int n) {
            return new Setup(model, optimizer, train, loss, validation, test, n, seed, callbacks, checkpoint,
                    averaging, checkpointEvery);
        }

        /** The seed of data order, augmentation and dropout. */
        public Setup withSeed(long s) {
            return new Setup(model, optimizer, train, loss, validation, test, epochs, s, callbacks, checkpoint,
                    averaging, checkpointEvery);
        }

        public Setup withCallbacks(List<? extends Callback> c) {
            return new Setup(model, optimizer, train, loss, validation, test, epochs, seed, List.copyOf(c), checkpoint,
                    averaging, checkpointEvery);
        }

        public Setup withCallbacks(Callback... c) {
            return withCallbacks(List.of(c));
        }

        public Setup withCheckpoint(Path file) {
            return new Setup(model, optimizer, train, loss, validation, test, epochs, seed, callbacks, file,
                    averaging, checkpointEvery);
        }

        /**
         * Keeps an average of the iterates (Polyak or exponential), folded in after each optimizer
         * step; the validation and test metrics of each epoch are of the averaged weights, and after
         * {@link Trainer#fit()} the model holds them. See {@link Trainer#averaging()}.
         */
        public Setup withAveraging(Averaging.Spec a) {
            return new Setup(model, optimizer, train, loss, validation, test, epochs, seed, callbacks, checkpoint, a,
                    checkpointEvery);
        }

        /**
         * Writes the checkpoint inside epochs too, as {@code every} says, so a crash loses at most
         * that much work; a resumed run continues from the step saved.
         */
        public Setup withCheckpointEvery(CheckpointInterval every) {
            return new Setup(model, optimizer, train, loss, validation, test, epochs, seed, callbacks, checkpoint,
                    averaging, every);
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
    /** The average of the iterates, or null without averaging. */
    private final Averaging averaging;
    private final List<EpochMetrics> history = new ArrayList<>();
    private int epoch;
    private long step;
    /** Batches of the epoch under way taken so far (0 between epochs), and that epoch's sums so far. */
    private int position;
    private double epochLossSum;
    private long epochCorrect;
    private int epochExamples;
    private double epochSeconds;
    /** The order and augmentation generators' states when the epoch under way started. */
    private long epochOrderState;
    private long epochAugmentationState;
    private long lastCheckpoint;
    private String stopReason;
    private Consumer<String> notes = s -> {};
    private OnNonFinite onNonFinite = OnNonFinite.stop();
    /** Steps skipped for a non-finite value, in all and since the last step that was not. */
    private long skippedSteps;
    private int skippedInARow;

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
        this.averaging = setup.averaging() == null ? null : setup.averaging().over(averagedTensors(setup.model()));
    }

    /**
     * What iterate averaging averages: the trainable parameters (frozen ones do not move) and the
     * running mean and variance of every batch norm layer (not its batch count).
     */
    static Map<String, Tensor> averagedTensors(Module model) {
        Map<String, Tensor> out = new LinkedHashMap<>(model.trainableParameters());
        model.namedModules().forEach((path, m) -> {
            if (m instanceof BatchNorm1d bn) {
                String prefix = path.isEmpty() ? "" : path + ".";
                out.put(prefix + "running_mean", bn.runningMean());
                out.put(prefix + "running_var", bn.runningVar());
            }
        });
        return out;
    }

    /** Where messages such as "restored the best weights" go (default: nowhere). */
    public void onNote(Consumer<String> sink) {
        this.notes = sink;
    }

    /**
     * What to do when a step is non-finite (default {@link OnNonFinite#stop()}). Rollback needs
     * the setup's checkpoint file: a fresh run writes it before its first step, so there is always
     * a state to return to.
     */
    public void onNonFinite(OnNonFinite policy) {
        if (policy.action() == OnNonFinite.Action.ROLLBACK && setup.checkpoint() == null) {
            throw new IllegalArgumentException("rollback on a non-finite step needs a checkpoint to return to: "
                    + "give the setup a checkpoint file (withCheckpoint), or use stop or skip-step");
        }
        this.onNonFinite = policy;
    }

    /** Steps skipped because they were non-finite (by skip-step) since this trainer was made. */
    public long skippedSteps() {
        return skippedSteps;
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

    /** The average of the iterates this run keeps, or null without averaging. */
    public Averaging averaging() {
        return averaging;
    }

    /**
     * A copy of the model's state as the last evaluation measured it: the averaged weights where
     * the run averages (and has an average yet), else the model's own (early stopping keeps it).
     */
    public Map<String, NdArray> evaluatedState() {
        try (var _ = swapInAverage()) {
            Map<String, NdArray> out = new LinkedHashMap<>();
            setup.model().stateDict().forEach((k, v) -> out.put(k, v.copy()));
            return out;
        }
    }

    /** Swaps the averaged weights in until closed; null (nothing to close) without an average. */
    private Averaging.Scope swapInAverage() {
        return averaging == null || !averaging.active() ? null : averaging.swapIn();
    }

    /** Epochs completed. */
    public int epoch() {
        return epoch;
    }

    /** Optimizer steps taken. */
    public long step() {
        return step;
    }

    /**
     * Batches taken in the epoch under way: 0 between epochs, so at an epoch's start it is 0 unless
     * the run was resumed from a checkpoint inside that epoch.
     */
    public int batchesIntoEpoch() {
        return position;
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

    /**
     * Runs the remaining epochs (all of them, unless resumed) and returns the history. With
     * averaging, the model then holds the averaged weights (before the callbacks' end of training,
     * so early stopping may still put back a better epoch's).
     */
    public List<EpochMetrics> fit() throws IOException {
        setup.callbacks().forEach(c -> c.onTrainStart(this));
        lastCheckpoint = System.nanoTime();
        boolean rollback = onNonFinite.action() == OnNonFinite.Action.ROLLBACK;
        if (rollback && epoch == 0 && step == 0) {
            writeCheckpoint(); // the state a divergence in the first epoch returns to
        }
        while (epoch < setup.epochs() && stopReason == null) {
            try {
                runEpoch();
            } catch (NonFiniteException e) {
                if (!rollback) {
                    throw e;
                }
                rollBack(e);
                continue;
            }
            if (setup.checkpoint() != null) {
                writeCheckpoint();
            }
        }
        if (averaging != null && averaging.active()) {
            averaging.swapIn(); // never closed: the averaged weights stay
        }
        setup.callbacks().forEach(c -> c.onTrainEnd(this));
        return history();
    }

    /**
     * Returns to the last checkpoint and halves the learning rate, unless it has been halved
     * {@link OnNonFinite#limit()} times already (the factor is in the optimizer's state, so this
     * counts across resumes too): then {@code e} ends training, saying so.
     */
    private void rollBack(NonFiniteException e) throws IOException {
        double scale = setup.optimizer().learningRateScale();
        if (scale <= Math.pow(0.5, onNonFinite.limit())) {
            throw new NonFiniteException(e.step(), e.epoch(), e.where(), "gave up after " + onNonFinite.limit()
                    + " rollbacks, each halving the learning rate (now ×" + scale + "): lower the learning rate, "
                    + "or look at the layer named");
        }
        Checkpoint.restore(setup.checkpoint(), this);
        // The checkpoint may predate earlier halvings: the new factor is half the one in use, not half its.
        setup.optimizer().scaleLearningRate(scale / 2 / setup.optimizer().learningRateScale());
        note("non-finite value at step " + e.step() + " (first in " + e.where() + "): rolled back to the checkpoint "
                + "of step " + step + " (epoch " + epoch + "), learning rate now ×" + setup.optimizer().learningRateScale());
    }

    /**
     * One step of training on {@code batch} (what each step of {@link #fit} does): the callbacks'
     * observers watch it, the trainer's dropout generator draws for it, and the callbacks hear of
     * it after the optimizer step. A non-finite step throws its {@link NonFiniteException}, except
     * under skip-step ({@link #onNonFinite}), where it counts as taken, moves nothing, tells no
     * callback, and returns null.
     */
    public TrainStep.Result step(Batch batch) {
        long optimizerSteps = setup.optimizer().steps();
        TrainStep.Result r;
        try {
            r = stepper.run(batch, dropoutRng, observer(step + 1), step + 1, epoch + 1);
        } catch (NonFiniteException e) {
            if (onNonFinite.action() != OnNonFinite.Action.SKIP_STEP) {
                throw e;
            }
            skip(e);
            return null;
        }
        skippedInARow = 0;
        step++;
        if (averaging != null && setup.optimizer().steps() > optimizerSteps) {
            averaging.update();
        }
        setup.callbacks().forEach(c -> c.onBatchEnd(this, batch, r.loss(), r.correct()));
        return r;
    }

    /** Counts a skipped step, or ends training when it is one too many in a row. */
    private void skip(NonFiniteException e) {
        if (skippedInARow >= onNonFinite.limit()) {
            throw new NonFiniteException(e.step(), e.epoch(), e.where(), "gave up after " + (skippedInARow + 1)
                    + " non-finite steps in a row (skip-step tolerates " + onNonFinite.limit() + "): the weights or "
                    + "the learning rate are at fault, not a batch; lower the learning rate, or use rollback");
        }
        step++;
        skippedInARow++;
        skippedSteps++;
        note("skipped step " + e.step() + ": non-finite, first in " + e.where() + " (" + skippedInARow + " in a row, "
                + skippedSteps + " in all)");
    }

    /**
     * Trains the epoch under way from its position (0, or where a checkpoint inside it left off:
     * the order is drawn again from the generator state the epoch started with, and the batches
     * already taken are assembled again to repeat their augmentation draws, without training).
     */
    private void runEpoch() throws IOException {
        int number = epoch + 1;
        epochOrderState = orderRng.state();
        epochAugmentationState = augmentRng.state();
        if (position == 0) {
            epochLossSum = 0;
            epochCorrect = 0;
            epochExamples = 0;
            epochSeconds = 0;
        }
        long start = System.nanoTime();
        try (DataLoader.Epoch batches = setup.train().epoch(epoch, orderRng, augmentRng, position)) {
            int n = batches.batches();
            setup.callbacks().forEach(c -> c.onEpochStart(this, number, n));
            while (batches.hasNext()) {
                Batch batch = batches.next();
                TrainStep.Result r = step(batch);
                position++; // a skipped step has taken its batch too
                if (r != null) { // a skipped step is not part of the epoch's training metrics
                    epochLossSum += r.loss() * batch.size();
                    epochCorrect += r.correct();
                    epochExamples += batch.size();
                }
                if (setup.checkpoint() != null && batches.hasNext()
                        && setup.checkpointEvery().due(step, System.nanoTime() - lastCheckpoint)) {
                    long now = System.nanoTime();
                    epochSeconds += (now - start) / 1e9;
                    start = now;
                    writeCheckpoint();
                }
            }
        }
        double seconds = epochSeconds + (System.nanoTime() - start) / 1e9;
        position = 0;
        Module model = setup.model();
        Evaluation val;
        Evaluation test;
        boolean averaged;
        try (var _ = swapInAverage()) {
            averaged = averaging != null && averaging.active();
            val = setup.validation() == null ? null : Evaluation.of(model, setup.validation(), setup.loss(), EVAL_BATCH);
            test = setup.test() == null ? null : Evaluation.of(model, setup.test(), setup.loss(), EVAL_BATCH);
        }
        epoch = number;
        EpochMetrics m = new EpochMetrics(number, step, epochLossSum / epochExamples,
                (double) epochCorrect / epochExamples, val == null ? Double.NaN : val.loss(),
                val == null ? Double.NaN : val.accuracy(), test == null ? Double.NaN : test.loss(),
                test == null ? Double.NaN : test.accuracy(), setup.optimizer().learningRate(), seconds,
                epochExamples / seconds, averaged);
        history.add(m);
        setup.callbacks().forEach(c -> c.onEpochEnd(this, m));
    }

    private void writeCheckpoint() throws IOException {
        Checkpoint.write(setup.checkpoint(), this);
        lastCheckpoint = System.nanoTime();
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

    void restoreProgress(int epoch, long step, String stopReason, List<EpochMetrics> history, EpochProgress inEpoch) {
        this.epoch = epoch;
        this.step = step;
        this.stopReason = stopReason;
        this.history.clear();
        this.history.addAll(history);
        this.position = inEpoch.batches();
        this.epochLossSum = inEpoch.lossSum();
        this.epochCorrect = inEpoch.correct();
        this.epochExamples = inEpoch.examples();
        this.epochSeconds = inEpoch.seconds();
    }

    Map<String, SplitMix64> generators() {
        return Collections.unmodifiableMap(generators);
    }

    /**
     * Every generator's state to checkpoint: inside an epoch, the order and augmentation
     * generators' states at its start (the background thread is drawing augmentations ahead, and
     * a resumed epoch draws its order and replays its augmentations from there), else the current ones.
     */
    Map<String, Long> generatorStates() {
        Map<String, Long> out = new LinkedHashMap<>();
        generators.forEach((name, g) -> out.put(name, g.state()));
        if (position > 0) {
            out.put("order", epochOrderState);
            out.put("augmentation", epochAugmentationState);
        }
        return out;
    }

    /** How far the epoch under way has got (all zero between epochs). */
    EpochProgress inEpoch() {
        return new EpochProgress(position, epochLossSum, epochCorrect, epochExamples, epochSeconds);
    }

    /** Batches taken in the epoch under way, the sums of their losses (per example) and hits, and seconds so far. */
    record EpochProgress(int batches, double lossSum, long correct, int examples, double seconds) {
        static final EpochProgress NONE = new EpochProgress(0, 0, 0, 0, 0);
    }
}
