package descent.train;

import descent.data.Batch;
import descent.nn.ForwardObserver;
import descent.tensor.NdArray;
import java.util.Map;

/**
 * Hooks into a {@link Trainer}'s loop, all optional. A callback with state that must survive a
 * resume (early stopping's best weights, say) saves it with {@link #saveState} under its own
 * prefix; the trainer writes it into each checkpoint and hands it back through {@link #loadState}.
 */
public interface Callback {

    default void onTrainStart(Trainer trainer) {}

    /** {@code epoch} is 1-based; {@code batches} is how many steps the epoch will take. */
    default void onEpochStart(Trainer trainer, int epoch, int batches) {}

    /**
     * Before the forward pass of the 1-based {@code step}: an observer to see every layer's output
     * during it (probes keep outputs to read their gradients in {@link #onBatchEnd}), or null.
     */
    default ForwardObserver observeStep(Trainer trainer, long step) {
        return null;
    }

    /** After the optimizer step; {@code loss} is the batch's loss before the step. */
    default void onBatchEnd(Trainer trainer, Batch batch, double loss, int correct) {}

    default void onEpochEnd(Trainer trainer, EpochMetrics metrics) {}

    default void onTrainEnd(Trainer trainer) {}

    /** Adds this callback's state to a checkpoint: tensors and text, keys of its own choosing. */
    default void saveState(Map<String, NdArray> tensors, Map<String, String> text) {}

    /** Restores what {@link #saveState} wrote. */
    default void loadState(Map<String, NdArray> tensors, Map<String, String> text) {}
}
