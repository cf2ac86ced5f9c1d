package descent.nn;

import java.util.random.RandomGenerator;

/**
 * How a forward pass runs: training (dropout active, batch norm on batch statistics and updating
 * its running averages) or evaluation. Passed to every {@link Module#forward} call rather than
 * kept as hidden state, so the same model can be evaluated in the middle of training.
 *
 * @param training whether this pass trains
 * @param rng      the generator stochastic layers (dropout) draw from; null if none is needed
 */
public record Mode(boolean training, RandomGenerator rng) {

    /** Evaluation: deterministic, running statistics frozen. */
    public static final Mode EVAL = new Mode(false, null);

    /** Training, with stochastic layers drawing from {@code rng}. */
    public static Mode train(RandomGenerator rng) {
        return new Mode(true, rng);
    }

    /** The generator, or a clear error for a layer that needs one in training. */
    RandomGenerator requireRng(String layer) {
        if (rng == null) {
            throw new IllegalStateException(layer + " draws random masks in training: pass Mode.train(rng)");
        }
        return rng;
    }
}
