package descent.train;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.nn.Losses;
import descent.nn.Mode;
import descent.nn.Module;
import descent.optim.Optimizer;
import descent.optim.Schedule;
import java.util.Objects;

/**
 * Stage 2 of FitNets (Romero et al., 2015, §2.3), or knowledge distillation alone: the whole
 * student trained on the labels and the teacher's softened outputs with
 * {@link KnowledgeDistillation#loss}, temperature τ, and a weight λ on the soft targets that follows
 * a schedule of the optimizer's step (the paper anneals it linearly during training, so the
 * teacher's targets matter most at first and the labels at the end).
 *
 * <p>As a module its output is the student's logits, so accuracy and evaluation read as for any
 * classifier; its one child is {@code student} (the state dict is the student's under
 * {@code student.}). A {@link LossFunction} sees only outputs and labels, while the teacher needs
 * the inputs: so each training-mode forward pass also runs the teacher, in evaluation mode and
 * without gradients, and keeps its logits for the {@link #loss} that follows, which uses them once.
 * In evaluation mode no teacher runs and the loss is plain cross-entropy, so validation and test
 * losses compare with any other run's.
 */
public final class DistillStage extends Module {

    private final Module teacher;
    private final Module student;
    private final double temperature;
    private final Schedule lambda;
    /** The teacher's logits for the batch of the last training-mode pass, until its loss uses them. */
    private Tensor pendingTeacher;

    public DistillStage(Module teacher, Module student, double temperature, Schedule lambda) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("distillation: the temperature τ must be positive and finite, got "
                    + temperature);
        }
        this.teacher = Objects.requireNonNull(teacher, "teacher");
        this.student = registerModule("student", student);
        this.temperature = temperature;
        this.lambda = Objects.requireNonNull(lambda, "lambda");
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        pendingTeacher = null;
        if (mode.training()) {
            try (var _ = GradMode.noGrad()) {
                pendingTeacher = teacher.forward(x, Mode.EVAL).detach();
            }
        }
        return forwardChild("student", x, mode);
    }

    /**
     * The stage's loss, λ read at {@code optimizer}'s step count (a checkpointed number, so a
     * resumed run anneals λ as an uninterrupted one): the distillation loss after a training pass,
     * cross-entropy after an evaluation one.
     */
    public LossFunction loss(Optimizer optimizer) {
        return (outputs, labels) -> {
            Tensor t = pendingTeacher;
            pendingTeacher = null;
            if (t == null) {
                return Losses.crossEntropy(outputs, labels);
            }
            if (t.dim(0) != outputs.dim(0)) {
                throw new IllegalStateException("distillation: the teacher's logits are of another batch ("
                        + t.dim(0) + " rows, the outputs have " + outputs.dim(0) + ")");
            }
            return KnowledgeDistillation.loss(outputs, t, labels, temperature, lambda.at(optimizer.steps()));
        };
    }

    public Module student() {
        return student;
    }

    public double temperature() {
        return temperature;
    }

    public Schedule lambda() {
        return lambda;
    }

    @Override
    protected String extraRepr() {
        return "temperature=" + temperature;
    }
}
