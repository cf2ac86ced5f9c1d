package descent.diagnostics;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.nn.Activation;
import descent.nn.BatchNorm1d;
import descent.nn.Dropout;
import descent.nn.LayerNorm;
import descent.nn.Linear;
import descent.nn.Mode;
import descent.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Warnings for architectures and settings that are known to train badly, each with the reason.
 * Layers are read in registration order, which is execution order for the library's containers
 * (Sequential, Mlp, Classifier). Checks that need to run the model (a softmax already applied
 * before a loss that expects logits, dropout active at evaluation) run only when a sample input is
 * given.
 */
public final class ArchitectureLint {

    /** What a warning is about. */
    public enum Rule {
        BIAS_BEFORE_BATCH_NORM, INIT_MISMATCH, DECAY_ON_NORM_OR_BIAS, SOFTMAX_BEFORE_LOGITS_LOSS, DEEP_SIGMOID,
        DROPOUT_AT_EVALUATION
    }

    public record Warning(Rule rule, String where, String message) {
        @Override
        public String toString() {
            return rule.name().toLowerCase(Locale.ROOT).replace('_', '-') + " at " + where + ": " + message;
        }
    }

    /**
     * What the model is trained with.
     *
     * @param decayedParameters names of the parameters weight decay applies to
     * @param sampleInput       a batch to run the model on, or null to skip the checks that need one
     * @param lossTakesLogits   whether the loss applies softmax itself (cross-entropy on logits)
     * @param evaluationMode    the mode used to evaluate
     */
    public record Context(Set<String> decayedParameters, Tensor sampleInput, boolean lossTakesLogits,
                          Mode evaluationMode) {
        public Context {
            decayedParameters = Set.copyOf(decayedParameters);
        }

        /** Structure only: no weight decay, no sample, a logits loss, evaluation in {@link Mode#EVAL}. */
        public static Context structural() {
            return new Context(Set.of(), null, true, Mode.EVAL);
        }
    }

    /** Sigmoid layers in a row, without normalization between them, from which gradients vanish. */
    static final int DEEP_SIGMOID_LAYERS = 4;

    private ArchitectureLint() {}

    public static List<Warning> check(Module model, Context context) {
        List<Warning> warnings = new ArrayList<>();
        List<Map.Entry<String, Module>> layers = model.namedModules().entrySet().stream()
                .filter(e -> e.getValue().children().isEmpty()).toList();
        structure(layers, warnings);
        decay(model, context.decayedParameters(), warnings);
        if (context.sampleInput() != null) {
            behaviour(model, context, warnings);
        }
        return warnings;
    }

    private static void structure(List<Map.Entry<String, Module>> layers, List<Warning> warnings) {
        int sigmoidRun = 0;
        for (int i = 0; i < layers.size(); i++) {
            String name = layers.get(i).getKey();
            Module m = layers.get(i).getValue();
            if (m instanceof Linear l && l.bias() != null && i + 1 < layers.size()
                    && layers.get(i + 1).getValue() instanceof BatchNorm1d) {
                warnings.add(new Warning(Rule.BIAS_BEFORE_BATCH_NORM, name, "the bias is cancelled by the batch norm "
                        + "that follows (it subtracts the batch mean); drop it, batch norm's β plays its role"));
            }
            if (m instanceof Linear l) {
                Activation next = nextActivation(layers, i);
                if (next != null) {
                    initMismatch(name, l, next, warnings);
                }
            }
            if (m instanceof BatchNorm1d || m instanceof LayerNorm) {
                sigmoidRun = 0;
            } else if (m instanceof Activation a && a.name().equals("Sigmoid")) {
                sigmoidRun++;
                if (sigmoidRun == DEEP_SIGMOID_LAYERS) {
                    warnings.add(new Warning(Rule.DEEP_SIGMOID, name, DEEP_SIGMOID_LAYERS + " sigmoid layers in a row "
                            + "without normalization: σ' ≤ ¼, so gradients shrink by about 4× or more per layer; use "
                            + "ReLU or add batch norm"));
                }
            }
        }
    }

    /** The activation after layer i, skipping normalization and dropout, or null if another Linear comes first. */
    private static Activation nextActivation(List<Map.Entry<String, Module>> layers, int i) {
        for (int j = i + 1; j < layers.size(); j++) {
            Module m = layers.get(j).getValue();
            if (m instanceof Activation a) {
                return a;
            }
            if (m instanceof Linear) {
                return null;
            }
        }
        return null;
    }

    private static void initMismatch(String name, Linear l, Activation next, List<Warning> warnings) {
        if (l.weightInit() == null) {
            return;
        }
        String scheme = l.weightInit().toString().toLowerCase(Locale.ROOT);
        // c = Var(w)·fan_in, measured: the gain decides whether a scheme suits the activation.
        double c = TensorStats.of(l.weight().value()).variance() * l.inFeatures();
        String act = next.name();
        if (scheme.startsWith("xavier") && act.equals("ReLU")) {
            warnings.add(new Warning(Rule.INIT_MISMATCH, name, String.format(Locale.ROOT, "Xavier initialization "
                    + "(variance %.2f/fan_in) before ReLU: ReLU halves the second moment, so activations shrink by "
                    + "√(c/2) ≈ %.2f per layer; use Kaiming (c = 2)", c, Math.sqrt(c / 2))));
        }
        if (scheme.startsWith("kaiming") && (act.equals("Sigmoid") || act.equals("Tanh")) && c > 1.5) {
            warnings.add(new Warning(Rule.INIT_MISMATCH, name, String.format(Locale.ROOT, "Kaiming initialization "
                    + "for ReLU (variance %.2f/fan_in) before %s: pre-activations grow and saturate it; use Xavier or "
                    + "Kaiming with the %s gain", c, act, act.toLowerCase(Locale.ROOT))));
        }
    }

    private static void decay(Module model, Set<String> decayed, List<Warning> warnings) {
        model.namedModules().forEach((moduleName, m) -> {
            boolean norm = m instanceof BatchNorm1d || m instanceof LayerNorm;
            m.namedParameters().forEach((local, p) -> {
                if (local.contains(".")) {
                    return; // a descendant's parameter: checked at its own module
                }
                String full = moduleName.isEmpty() ? local : moduleName + "." + local;
                if (!decayed.contains(full)) {
                    return;
                }
                if (norm) {
                    warnings.add(new Warning(Rule.DECAY_ON_NORM_OR_BIAS, full, "weight decay on a normalization "
                            + "layer's " + (local.equals("weight") ? "γ" : "β") + " pulls its scale or shift toward 0 "
                            + "for no regularizing benefit; exclude it"));
                } else if (p.rank() == 1 && local.equals("bias")) {
                    warnings.add(new Warning(Rule.DECAY_ON_NORM_OR_BIAS, full, "weight decay on a bias: biases do "
                            + "not cause overfitting the way weights do, and decaying them only adds bias; exclude it"));
                }
            });
        });
    }

    private static void behaviour(Module model, Context context, List<Warning> warnings) {
        try (var _ = GradMode.noGrad()) {
            Mode eval = context.evaluationMode();
            Tensor first = model.forward(context.sampleInput(), eval);
            if (context.lossTakesLogits() && looksLikeProbabilities(first)) {
                warnings.add(new Warning(Rule.SOFTMAX_BEFORE_LOGITS_LOSS, "output", "the outputs are non-negative and "
                        + "each row sums to 1, so a softmax is already applied, but the loss applies its own: drop the "
                        + "final softmax and pass logits"));
            }
            boolean hasDropout = model.namedModules().values().stream()
                    .anyMatch(m -> m instanceof Dropout d && d.p() > 0);
            if (hasDropout && (eval.training() || !java.util.Arrays.equals(first.value().toDoubleArray(),
                    model.forward(context.sampleInput(), eval).value().toDoubleArray()))) {
                warnings.add(new Warning(Rule.DROPOUT_AT_EVALUATION, "evaluation", "the model has dropout and is "
                        + "evaluated in training mode, so evaluation drops units at random and its results vary; "
                        + "evaluate with Mode.EVAL"));
            }
        }
    }

    private static boolean looksLikeProbabilities(Tensor out) {
        if (out.rank() != 2 || out.dim(1) < 2) {
            return false;
        }
        double[] v = out.value().toDoubleArray();
        int cols = out.dim(1);
        for (int r = 0; r < out.dim(0); r++) {
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                double x = v[r * cols + c];
                if (x < 0) {
                    return false;
                }
                sum += x;
            }
            if (Math.abs(sum - 1) > 1e-4) {
                return false;
            }
        }
        return true;
    }
}
