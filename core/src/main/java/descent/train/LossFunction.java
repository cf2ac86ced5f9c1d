package descent.train;

import descent.autograd.Tensor;
import descent.nn.Losses;

/** The training objective on a batch: a scalar loss from the model's outputs and the labels. */
@FunctionalInterface
public interface LossFunction {

    Tensor loss(Tensor outputs, int[] labels);

    /** Softmax cross-entropy on logits, averaged over the batch. */
    static LossFunction crossEntropy() {
        return Losses::crossEntropy;
    }
}
