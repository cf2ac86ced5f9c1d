package descent.nn;

import descent.autograd.Tensor;

/**
 * A classifier on raw inputs: flattens each example, standardizes it with statistics fitted on the
 * training set, and passes it to a body (an {@link Mlp}, say) that returns logits. Because the
 * normalization is part of the model, a saved model takes the same raw data as the data set.
 * Children: {@code normalize} and {@code body}.
 */
public final class Classifier extends Module {

    private final Flatten flatten = new Flatten();
    private final Module body;

    public Classifier(Standardize normalize, Module body) {
        registerModule("normalize", normalize);
        this.body = registerModule("body", body);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        // flatten is private, not a registered child: called directly, so it is not observed.
        return forwardChild("body", forwardChild("normalize", flatten.forward(x, mode), mode), mode);
    }

    public Module body() {
        return body;
    }
}
