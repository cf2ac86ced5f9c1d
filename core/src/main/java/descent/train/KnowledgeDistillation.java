package descent.train;

import descent.autograd.Tensor;
import descent.nn.Losses;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;
import java.util.Arrays;

/**
 * The knowledge-distillation loss of Hinton, Vinyals and Dean (2015), as stage 2 of FitNets
 * (Romero et al., 2015, eq. 1) trains with it: the cross-entropy with the labels plus λ times the
 * cross-entropy between the teacher's and the student's outputs softened by a temperature τ,
 *
 * <pre>
 *   L = H(y, softmax(z_s)) + λ·τ²·H(softmax(z_t/τ), softmax(z_s/τ)),   H(p, q) = −Σ_c p_c log q_c,
 * </pre>
 *
 * averaged over the batch. The τ² is Hinton's: the soft term's gradient scales as 1/τ², so the
 * factor keeps the two terms' relative weight the same whatever the temperature (FitNets' eq. 1
 * writes the loss without it; with it, λ means the same at every τ). The teacher's logits are
 * constants: no gradient flows into the teacher.
 */
public final class KnowledgeDistillation {

    private KnowledgeDistillation() {}

    /**
     * The loss for {@code [n, C]} student and teacher logits and n labels.
     *
     * @param temperature τ > 0; 1 leaves the teacher's distribution as it is, larger flattens it
     * @param lambda      λ ≥ 0, the weight of the soft targets (0: plain cross-entropy)
     */
    public static Tensor loss(Tensor student, Tensor teacher, int[] labels, double temperature, double lambda) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("distillation: the temperature τ must be positive and finite, got "
                    + temperature);
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("distillation: the soft-target weight λ must be >= 0 and finite, got "
                    + lambda);
        }
        if (!Arrays.equals(student.shape(), teacher.shape())) {
            throw new ShapeException("distillation: student logits " + Shapes.str(student.shape())
                    + " and teacher logits " + Shapes.str(teacher.shape()) + " differ in shape");
        }
        Tensor hard = Losses.crossEntropy(student, labels);
        if (lambda == 0) {
            return hard;
        }
        int n = student.dim(0);
        Tensor soft = softTargets(teacher, temperature);
        Tensor crossEntropy = soft.mul(student.div(temperature).logSoftmax(1)).sum().neg().div(n);
        return hard.add(crossEntropy.mul(lambda * temperature * temperature));
    }

    /** softmax(z_t/τ), detached: the teacher's softened distribution over the classes. */
    public static Tensor softTargets(Tensor teacher, double temperature) {
        return Tensor.of(teacher.detach().div(temperature).softmax(1).value());
    }
}
