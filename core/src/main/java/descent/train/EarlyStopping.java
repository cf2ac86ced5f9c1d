package descent.train;

import descent.tensor.NdArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stops training when the monitored metric has not improved by more than {@code minDelta} for
 * {@code patience} epochs, and puts back the weights of the best epoch, both when it stops and
 * when training ends for any other reason (the last epoch is not always the best). Monitors the
 * validation loss, or the training loss where there is no validation set.
 */
public final class EarlyStopping implements Callback {

    private final int patience;
    private final double minDelta;
    private double best = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private int epochsWithoutImprovement;
    private Map<String, NdArray> bestWeights;

    public EarlyStopping(int patience, double minDelta) {
        if (patience < 1 || !(minDelta >= 0)) {
            throw new IllegalArgumentException("early stopping needs patience ≥ 1 and min delta ≥ 0, got " + patience
                    + " and " + minDelta);
        }
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /** The epoch whose weights are (or will be) restored; 0 before any epoch. */
    public int bestEpoch() {
        return bestEpoch;
    }

    public double best() {
        return best;
    }

    static double monitored(EpochMetrics m) {
        return Double.isNaN(m.validationLoss()) ? m.trainLoss() : m.validationLoss();
    }

    @Override
    public void onTrainStart(Trainer trainer) {
        if (trainer.averaging() != null && trainer.setup().validation() == null) {
            throw new IllegalArgumentException("early stopping with iterate averaging watches the averaged model's "
                    + "validation loss: give a validation set (the training loss is of the trained weights)");
        }
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochMetrics metrics) {
        double value = monitored(metrics);
        if (value < best - minDelta) {
            best = value;
            bestEpoch = metrics.epoch();
            epochsWithoutImprovement = 0;
            bestWeights = trainer.evaluatedState(); // with averaging, the averaged weights the metric is of
        } else if (++epochsWithoutImprovement >= patience) {
            trainer.requestStop(String.format("early stopping: no improvement over %.6g for %d epochs", best, patience));
        }
    }

    @Override
    public void onTrainEnd(Trainer trainer) {
        if (bestWeights != null && bestEpoch != trainer.epoch()) {
            trainer.model().loadStateDict(bestWeights, true);
            trainer.note("restored the weights of epoch " + bestEpoch + " (best monitored loss " + best + ")");
        }
    }

    @Override
    public void saveState(Map<String, NdArray> tensors, Map<String, String> text) {
        text.put("early_stopping.best", Double.toString(best));
        text.put("early_stopping.best_epoch", Integer.toString(bestEpoch));
        text.put("early_stopping.waited", Integer.toString(epochsWithoutImprovement));
        if (bestWeights != null) {
            bestWeights.forEach((k, v) -> tensors.put("early_stopping.best/" + k, v));
        }
    }

    @Override
    public void loadState(Map<String, NdArray> tensors, Map<String, String> text) {
        String b = text.get("early_stopping.best");
        if (b == null) {
            throw new IllegalArgumentException("the checkpoint has no early-stopping state, but this run stops early "
                    + "(resume with the same options)");
        }
        best = Double.parseDouble(b);
        bestEpoch = Integer.parseInt(text.get("early_stopping.best_epoch"));
        epochsWithoutImprovement = Integer.parseInt(text.get("early_stopping.waited"));
        Map<String, NdArray> w = new LinkedHashMap<>();
        String prefix = "early_stopping.best/";
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                w.put(k.substring(prefix.length()), v);
            }
        });
        bestWeights = w.isEmpty() ? null : w;
    }
}
