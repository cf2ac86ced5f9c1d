package descent.nn;

import descent.autograd.Tensor;
import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;
import java.util.Arrays;

/** Loss functions on logits or predictions, each with a {@link Reduction}. */
public final class Losses {

    private Losses() {}

    /** Mean softmax cross-entropy of [N, C] logits against integer labels. */
    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        return crossEntropy(logits, labels, 0, Reduction.MEAN);
    }

    /**
     * Softmax cross-entropy on logits: −log softmax(z)_y, with log softmax computed as
     * z − logsumexp(z) so large logits neither overflow nor lose precision. With label smoothing
     * ε the target is (1−ε)·onehot(y) + ε/C (Szegedy et al., 2016), as in PyTorch:
     * loss = (1−ε)·(−log p_y) + ε·mean_c(−log p_c).
     */
    public static Tensor crossEntropy(Tensor logits, int[] labels, double labelSmoothing, Reduction reduction) {
        if (logits.rank() != 2 || logits.dim(0) != labels.length) {
            throw new ShapeException("crossEntropy: logits shape " + Shapes.str(logits.shape()) + " is not [N, C] with N = "
                    + labels.length + " labels");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        int n = labels.length;
        int classes = logits.dim(1);
        double[] index = new double[n];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IndexOutOfBoundsException("crossEntropy: label " + labels[i] + " of example " + i
                        + " is outside [0, " + classes + ")");
            }
            index[i] = labels[i];
        }
        Tensor logProbs = logits.logSoftmax(1);
        Tensor nll = logProbs.gather(1, NdArray.of(index, n, 1)).reshape(n).neg();
        Tensor loss = labelSmoothing == 0 ? nll
                : nll.mul(1 - labelSmoothing).add(logProbs.mean(false, 1).neg().mul(labelSmoothing));
        return reduce(loss, reduction);
    }

    /** Mean squared error, (ŷ − y)², over equal shapes. */
    public static Tensor mse(Tensor prediction, Tensor target) {
        return mse(prediction, target, Reduction.MEAN);
    }

    public static Tensor mse(Tensor prediction, Tensor target, Reduction reduction) {
        requireSameShape("mse", prediction, target);
        Tensor d = prediction.sub(target);
        return reduce(d.mul(d), reduction);
    }

    /**
     * Binary cross-entropy on logits x with targets y in [0, 1]:
     * −y·log σ(x) − (1−y)·log(1−σ(x)) = softplus(x) − x·y, which is finite for any x.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets) {
        return binaryCrossEntropyWithLogits(logits, targets, Reduction.MEAN);
    }

    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Reduction reduction) {
        requireSameShape("binaryCrossEntropyWithLogits", logits, targets);
        Tensor loss = logits.softplus().sub(logits.mul(targets));
        return reduce(loss, reduction);
    }

    private static void requireSameShape(String loss, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new ShapeException(loss + ": prediction shape " + Shapes.str(a.shape()) + " differs from target shape "
                    + Shapes.str(b.shape()));
        }
    }

    private static Tensor reduce(Tensor loss, Reduction reduction) {
        return switch (reduction) {
            case MEAN -> loss.mean();
            case SUM -> loss.sum();
            case NONE -> loss;
        };
    }
}
