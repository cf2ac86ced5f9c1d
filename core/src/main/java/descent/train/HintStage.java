package descent.train;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.init.Init;
import descent.nn.Activation;
import descent.nn.ForwardObserver;
import descent.nn.Linear;
import descent.nn.Mode;
import descent.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Stage 1 of FitNets (Romero et al., 2015, §2.2): the student's layers up to its guided layer, and
 * a regressor r on top, trained so that r predicts the teacher's hint layer,
 *
 * <pre>
 *   L_HT(W_guided, W_r) = ½ ‖u_h(x; W_hint) − r(v_g(x; W_guided); W_r)‖²
 * </pre>
 *
 * averaged over the batch, where u_h is the teacher up to its hint layer (fixed, in evaluation
 * mode) and v_g the student up to its guided layer. The regressor is a {@link Linear} from the
 * guided layer's width to the hint layer's; where the hint layer is an activation, the regressor
 * ends in the same one, as the paper asks ("u_h and r must have the same non-linearity").
 *
 * <p>As a module its output is the residual r(v_g(x)) − u_h(x), so {@link #LOSS} needs no more than
 * a {@link LossFunction} sees, and a {@link Trainer} trains the stage like any model: checkpoints,
 * resume, callbacks. Children: {@code student} and {@code regressor}; the teacher is not one (it is
 * not trained and not saved). The student's forward pass stops at the guided layer, so the layers
 * above neither compute nor update batch statistics in this stage; {@link #trainedParameters()}
 * are the ones below it and the regressor's, what the stage's optimizer should update.
 */
public final class HintStage extends Module {

    /** ½‖residual‖² per example, averaged over the batch (the labels are not used). */
    public static final LossFunction LOSS = (residual, labels) ->
            residual.mul(residual).sum().mul(0.5 / residual.dim(0));

    private final Module teacher;
    private final String hintLayer;
    private final Module student;
    private final String guidedLayer;
    private final Linear regressor;
    /** The hint layer's nonlinearity, which the regressor ends in; null when the hint is not an activation. */
    private final Activation nonlinearity;
    private final Map<String, Tensor> trained;

    /**
     * The stage with a given regressor. {@code probe}, a few training inputs, measures the two
     * layers' widths: a regressor that does not map the guided width to the hint width is refused
     * with both widths.
     */
    public HintStage(Module teacher, String hintLayer, Module student, String guidedLayer, Linear regressor,
                     Tensor probe) {
        LayerTap.requireLayer(teacher, hintLayer, "the teacher's hint layer");
        LayerTap.requireLayer(student, guidedLayer, "the student's guided layer");
        this.teacher = teacher;
        this.hintLayer = hintLayer;
        this.student = registerModule("student", student);
        this.guidedLayer = guidedLayer;
        this.regressor = registerModule("regressor", regressor);
        this.nonlinearity = teacher.submodule(hintLayer) instanceof Activation a ? a : null;
        int hint = hintWidth(teacher, hintLayer, probe);
        int guided = guidedWidth(student, guidedLayer, probe);
        if (regressor.inFeatures() != guided) {
            throw new IllegalArgumentException("the student's guided layer '" + guidedLayer + "' has width " + guided
                    + ", but the regressor takes " + regressor.inFeatures() + " inputs");
        }
        if (regressor.outFeatures() != hint) {
            throw new IllegalArgumentException("the teacher's hint layer '" + hintLayer + "' has width " + hint
                    + ", but the regressor's output has width " + regressor.outFeatures());
        }
        this.trained = below(student, guidedLayer, probe);
        regressor.namedParameters().forEach((n, t) -> trained.put("regressor." + n, t));
    }

    /** The stage with a new regressor from the guided width to the hint width, weights drawn from {@code rng}. */
    public static HintStage of(Module teacher, String hintLayer, Module student, String guidedLayer, Tensor probe,
                               RandomGenerator rng) {
        LayerTap.requireLayer(teacher, hintLayer, "the teacher's hint layer");
        LayerTap.requireLayer(student, guidedLayer, "the student's guided layer");
        Linear r = new Linear(guidedWidth(student, guidedLayer, probe), hintWidth(teacher, hintLayer, probe), true,
                Init.fanInUniform(), student.parameters().getFirst().dtype(), rng);
        return new HintStage(teacher, hintLayer, student, guidedLayer, r, probe);
    }

    private static int hintWidth(Module teacher, String layer, Tensor probe) {
        try (var _ = GradMode.noGrad()) {
            return LayerTap.run(teacher, layer, probe, Mode.EVAL, true, "the teacher's hint layer", "").dim(1);
        }
    }

    private static int guidedWidth(Module student, String layer, Tensor probe) {
        try (var _ = GradMode.noGrad()) {
            return LayerTap.run(student, layer, probe, Mode.EVAL, true, "the student's guided layer", "").dim(1);
        }
    }

    /**
     * The student's parameters below its guided layer, by name under {@code student.}: those of
     * the modules whose outputs a forward pass shows before the guided layer's, or inside it.
     */
    private static Map<String, Tensor> below(Module student, String guidedLayer, Tensor probe) {
        List<String> reached = new ArrayList<>();
        ForwardObserver order = (path, module, output) -> reached.add(path);
        try (var _ = GradMode.noGrad()) {
            student.forward(probe, Mode.EVAL, order);
        }
        List<String> modules = reached.subList(0, reached.indexOf(guidedLayer) + 1);
        Map<String, Tensor> out = new LinkedHashMap<>();
        student.namedParameters().forEach((name, t) -> {
            int dot = name.lastIndexOf('.');
            if (modules.contains(dot < 0 ? "" : name.substring(0, dot))) {
                out.put("student." + name, t);
            }
        });
        return out;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor hint;
        try (var _ = GradMode.noGrad()) {
            hint = LayerTap.run(teacher, hintLayer, x, Mode.EVAL, true, "the teacher's hint layer", "").detach();
        }
        Tensor guided = LayerTap.run(student, guidedLayer, x, mode, true, "the student's guided layer", "student");
        Tensor predicted = forwardChild("regressor", guided, mode);
        if (nonlinearity != null) {
            predicted = nonlinearity.forward(predicted, mode);
        }
        return predicted.sub(hint);
    }

    /**
     * The mean hint loss over a data set, in evaluation mode without gradients. (An
     * {@link Evaluation} does not apply: the stage's outputs are residuals, not class scores, so a
     * stage-1 trainer gets no validation or test set.)
     */
    public double meanLoss(Dataset data, int batchSize) {
        double sum = 0;
        DataLoader loader = DataLoader.inOrder(data, batchSize);
        try (var _ = GradMode.noGrad(); DataLoader.Epoch epoch = loader.epoch(0, new SplitMix64(0), new SplitMix64(0))) {
            while (epoch.hasNext()) {
                Batch b = epoch.next();
                sum += LOSS.loss(forward(Tensor.of(b.inputs()), Mode.EVAL), b.labels()).item() * b.size();
            }
        }
        return sum / data.size();
    }

    /** What the stage trains: the student's layers up to the guided one, and the regressor. */
    public Map<String, Tensor> trainedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        trained.forEach((n, t) -> {
            if (t.requiresGrad()) {
                out.put(n, t);
            }
        });
        return out;
    }

    public Module student() {
        return student;
    }

    public Linear regressor() {
        return regressor;
    }

    @Override
    protected String extraRepr() {
        return "hint=" + hintLayer + ", guided=" + guidedLayer;
    }
}
