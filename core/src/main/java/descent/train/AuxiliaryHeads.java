package descent.train;

import descent.autograd.Tensor;
import descent.init.Init;
import descent.nn.ForwardObserver;
import descent.nn.Linear;
import descent.nn.Losses;
import descent.nn.Mode;
import descent.nn.Module;
import descent.nn.ModulePaths;
import descent.tensor.NdArray;
import descent.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Auxiliary classifiers on intermediate layers, trained with the model and dropped afterwards
 * (GoogLeNet: Szegedy et al. 2015, "Going deeper with convolutions", which weighs each auxiliary
 * loss by 0.3). Head i is a Linear layer from the output aᵢ(x) of a named layer to the classes, and
 * training minimizes
 *
 * <pre>  L = CE(f(x), y) + Σᵢ wᵢ · CE(hᵢ(aᵢ(x)), y)</pre>
 *
 * so that the layers below each head also get the gradient of a short path to a loss.
 *
 * <p>The heads live beside the model, not in it: the model's {@link Module#stateDict()}, a model
 * saved from it and its evaluation have no trace of them. To train them, give the optimizer
 * {@link #parameters()} with the model's, and give this object to the {@link Trainer} both as its
 * loss and as one of its callbacks. As a callback it watches each step's forward pass and keeps
 * the named layers' outputs, and it writes the heads' weights into each checkpoint and restores
 * them on resume; as the loss it adds the heads' terms to the main one. A forward pass it did not
 * watch (every evaluation) gets the main loss alone. Outside a trainer, pass {@link #observer()}
 * to {@link TrainStep#run}.
 */
public final class AuxiliaryHeads implements LossFunction, Callback {

    /** GoogLeNet's weight on each auxiliary loss. */
    public static final double DEFAULT_WEIGHT = 0.3;

    /** The prefix of the heads' parameters, and of their tensors in a checkpoint. */
    static final String PREFIX = "aux_heads";

    /** Where a head goes (a layer, named as {@link ModulePaths#resolve} finds it) and its loss weight. */
    public record Spec(String layer, double weight) {
        public Spec {
            if (layer.isBlank()) {
                throw new IllegalArgumentException("an auxiliary head needs a layer name");
            }
            if (!(weight > 0) || !Double.isFinite(weight)) {
                throw new IllegalArgumentException("auxiliary head on " + layer + ": the loss weight must be positive, "
                        + "got " + weight);
            }
        }

        /** The form {@link #parse} reads. */
        public static final String FORM = "LAYER[:WEIGHT],... (weight " + DEFAULT_WEIGHT + " when left out)";

        /** Heads as {@code LAYER[:WEIGHT],...}, such as {@code layers.3:0.3,layers.7}. */
        public static List<Spec> parse(String specs) {
            List<Spec> out = new ArrayList<>();
            for (String s : specs.split(",", -1)) {
                String[] p = s.strip().split(":", -1);
                if (p.length > 2 || p[0].isEmpty()) {
                    throw new IllegalArgumentException("auxiliary heads: '" + s + "' is not " + FORM);
                }
                try {
                    out.add(new Spec(p[0], p.length == 2 ? Double.parseDouble(p[1]) : DEFAULT_WEIGHT));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("auxiliary heads: the weight in '" + s + "' is not a number ("
                            + FORM + ")");
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return layer + ":" + weight;
        }
    }

    /** One head: the full path of the layer it reads, its classifier and its loss weight. */
    public record Head(String layer, Linear classifier, double weight) {}

    private final LossFunction main;
    private final List<Head> heads;
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    /** The watched layers' outputs in the current training step, by path; empty outside one. */
    private final Map<String, Tensor> captured = new HashMap<>();
    private final ForwardObserver observer;

    /** Heads whose weighted losses are added to {@code main}; layers are full module paths. */
    public AuxiliaryHeads(LossFunction main, List<Head> heads) {
        this.main = main;
        this.heads = List.copyOf(heads);
        List<String> layers = new ArrayList<>();
        for (Head h : this.heads) {
            if (layers.contains(h.layer())) {
                throw new IllegalArgumentException("two auxiliary heads on " + h.layer());
            }
            layers.add(h.layer());
            h.classifier().namedParameters().forEach((n, t) -> parameters.put(PREFIX + "." + h.layer() + "." + n, t));
        }
        this.observer = (name, module, output) -> {
            if (layers.contains(name)) {
                captured.put(name, output);
            }
        };
    }

    /**
     * Linear heads on the named layers of {@code model}, on the cross-entropy of its outputs; each
     * head's input width is read off one forward pass of {@code sample} in evaluation mode, its
     * weights drawn from U(±1/√width) (Linear's default) with
     * {@code rng}, in the sample's dtype. An unknown layer is an error listing
     * the model's layers.
     */
    public static AuxiliaryHeads linear(Module model, Tensor sample, int classes, List<Spec> specs,
                                        RandomGenerator rng) {
        Map<String, Spec> byPath = new LinkedHashMap<>();
        for (Spec s : specs) {
            String path = ModulePaths.resolve(model, s.layer());
            if (byPath.put(path, s) != null) {
                throw new IllegalArgumentException("two auxiliary heads on " + path);
            }
        }
        Map<String, int[]> shapes = new HashMap<>();
        model.forward(sample, Mode.EVAL, (name, module, output) -> {
            if (byPath.containsKey(name)) {
                shapes.put(name, output.shape());
            }
        });
        List<Head> heads = new ArrayList<>();
        byPath.forEach((path, s) -> {
            int[] shape = shapes.get(path);
            if (shape == null || shape.length != 2) {
                throw new IllegalArgumentException("auxiliary head on " + path + ": the layer's output is "
                        + (shape == null ? "not seen in a forward pass" : Shapes.str(shape)) + ", a head needs [N, features]");
            }
            heads.add(new Head(path, new Linear(shape[1], classes, true, Init.fanInUniform(), sample.dtype(), rng),
                    s.weight()));
        });
        return new AuxiliaryHeads(LossFunction.crossEntropy(), heads);
    }

    public List<Head> heads() {
        return heads;
    }

    /** The heads' parameters, named {@code aux_heads.LAYER.weight} and {@code .bias}: for the optimizer. */
    public Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** The observer that keeps the heads' layer outputs during a training step's forward pass. */
    public ForwardObserver observer() {
        captured.clear();
        return observer;
    }

    /** {@code layer:weight,...} of every head, by full path. */
    public String describe() {
        return String.join(",", heads.stream().map(h -> new Spec(h.layer(), h.weight()).toString()).toList());
    }

    /** The main loss, plus each head's weighted cross-entropy when this pass was watched. */
    @Override
    public Tensor loss(Tensor outputs, int[] labels) {
        Tensor total = main.loss(outputs, labels);
        if (captured.isEmpty()) {
            return total; // an unwatched pass: an evaluation
        }
        for (Head h : heads) {
            Tensor a = captured.get(h.layer());
            if (a == null) {
                throw new IllegalStateException("the forward pass did not go through " + h.layer()
                        + ", where an auxiliary head reads");
            }
            // The heads are Linear layers, which do the same in training and evaluation.
            total = total.add(Losses.crossEntropy(h.classifier().forward(a, Mode.EVAL), labels).mul(h.weight()));
        }
        captured.clear();
        return total;
    }

    @Override
    public ForwardObserver observeStep(Trainer trainer, long step) {
        return observer();
    }

    @Override
    public void saveState(Map<String, NdArray> tensors, Map<String, String> text) {
        text.put(PREFIX, describe());
        parameters.forEach((name, t) -> tensors.put(name.replaceFirst("\\.", "/"), t.value()));
    }

    @Override
    public void loadState(Map<String, NdArray> tensors, Map<String, String> text) {
        String saved = text.get(PREFIX);
        if (!describe().equals(saved)) {
            throw new IllegalArgumentException("the checkpoint was written by a run " + (saved == null
                    ? "without auxiliary heads" : "with auxiliary heads " + saved) + ", this run has " + describe()
                    + "; resuming would not continue that run");
        }
        parameters.forEach((name, t) -> {
            NdArray v = tensors.get(name.replaceFirst("\\.", "/"));
            if (v == null || !Arrays.equals(v.shape(), t.shape())) {
                throw new IllegalArgumentException("the checkpoint's " + name + " is " + (v == null ? "missing"
                        : Shapes.str(v.shape())) + ", the head has " + Shapes.str(t.shape()));
            }
            t.assign(v.copy());
        });
    }
}
