package descent.nn;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How a forward pass runs: training (dropout active, batch norm on batch statistics and updating
 * its running averages) or evaluation, and who watches it. Passed to every {@link Module#forward}
 * call rather than kept as hidden state, so the same model can be evaluated in the middle of
 * training and observed on one step only.
 *
 * <p>A watched pass starts at
 * {@link Module#forward(descent.autograd.Tensor, Mode, ForwardObserver)}; each container hands its
 * children, through {@link Module#forwardChild}, a mode whose {@code path} names the child. An
 * unwatched mode passes down the tree unchanged, so its path stays "".
 *
 * @param training whether this pass trains
 * @param rng      the generator stochastic layers (dropout) draw from; null if none is needed
 * @param observer sees each module's output, or null when no one watches (the usual case)
 * @param path     the dotted name of the module receiving this mode, "" for the root; kept only
 *                 while an observer watches
 */
public record Mode(boolean training, RandomGenerator rng, ForwardObserver observer, String path) {

    public Mode {
        Objects.requireNonNull(path, "path");
    }

    /** An unwatched mode. */
    public Mode(boolean training, RandomGenerator rng) {
        this(training, rng, null, "");
    }

    /** Evaluation: deterministic, running statistics frozen. */
    public static final Mode EVAL = new Mode(false, null);

    /** Training, with stochastic layers drawing from {@code rng}. */
    public static Mode train(RandomGenerator rng) {
        return new Mode(true, rng);
    }

    /** The same pass watched by {@code observer}, at the root of the model. */
    public Mode observedBy(ForwardObserver observer) {
        return new Mode(training, rng, Objects.requireNonNull(observer, "observer"), "");
    }

    /** The mode for the child {@code name} of the module at {@link #path}. */
    Mode child(String name) {
        return new Mode(training, rng, observer, path.isEmpty() ? name : path + "." + name);
    }

    /** The generator, or a clear error for a layer that needs one in training. */
    RandomGenerator requireRng(String layer) {
        if (rng == null) {
            throw new IllegalStateException(layer + " draws random masks in training: pass Mode.train(rng)");
        }
        return rng;
    }
}
