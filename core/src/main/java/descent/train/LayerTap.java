package descent.train;

import descent.autograd.Tensor;
import descent.nn.ForwardObserver;
import descent.nn.Mode;
import descent.nn.Module;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;
import java.util.ArrayList;
import java.util.List;

/**
 * The output of one layer of a model, named by its state-dict path ({@code body.layers.2}), read
 * during a forward pass through a {@link ForwardObserver}. A tap can stop the pass there, so that
 * nothing above the layer computes (or updates batch statistics): the observer throws a private
 * signal once it has the output, and {@link #run} catches it.
 */
final class LayerTap {

    /** Ends a forward pass at the tapped layer; no stack trace, it is control flow. */
    private static final class Reached extends RuntimeException {
        Reached() {
            super(null, null, false, false);
        }
    }

    private LayerTap() {}

    /**
     * Refuses a name that is not a layer of {@code model}, listing the ones that are; {@code role}
     * says whose layer it is in the message ("the teacher's hint layer").
     */
    static void requireLayer(Module model, String name, String role) {
        if (name == null || name.isEmpty() || !model.namedModules().containsKey(name)) {
            List<String> known = new ArrayList<>(model.namedModules().keySet());
            known.remove("");
            throw new IllegalArgumentException(role + " '" + name + "' is not a layer of the model; its layers are: "
                    + String.join(", ", known));
        }
    }

    /**
     * Runs {@code model} on {@code input} and returns the output of layer {@code name} (a
     * {@code [n, width]} tensor); with {@code stop}, the pass ends there. An observer in
     * {@code mode} still sees every layer the pass reaches, named as a child {@code under} of the
     * module that runs the tap.
     */
    static Tensor run(Module model, String name, Tensor input, Mode mode, boolean stop, String role, String under) {
        Tensor[] seen = new Tensor[1];
        ForwardObserver outer = mode.observer();
        String base = mode.path().isEmpty() ? under : mode.path() + "." + under;
        ForwardObserver tap = (path, module, output) -> {
            if (outer != null) {
                outer.output(path.isEmpty() ? base : base + "." + path, module, output);
            }
            if (path.equals(name)) {
                seen[0] = output;
                if (stop) {
                    throw new Reached();
                }
            }
        };
        try {
            model.forward(input, new Mode(mode.training(), mode.rng()), tap);
        } catch (Reached done) {
            // the layer's output is in seen[0]
        }
        if (seen[0] == null) {
            throw new IllegalArgumentException(role + " '" + name + "' is a module of the model, but a forward pass never "
                    + "shows its output (it is not called as a child layer); name a layer whose output the pass shows");
        }
        if (seen[0].rank() != 2) {
            throw new ShapeException(role + " '" + name + "' gives outputs of shape " + Shapes.str(seen[0].shape())
                    + "; a hint is a [batch, features] layer output");
        }
        return seen[0];
    }
}
