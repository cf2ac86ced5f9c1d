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
    private final Standardize normalize;
    private final Module body;

    public Classifier(Standardize normalize, Module body) {
        this.normalize = registerModule("normalize", normalize);
        this.body = registerModule("body", body);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        return body.forward(normalize.forward(flatten.forward(x, mode), mode), mode);
    }

    @Override
    protected Tensor forwardObserved(Tensor x, Mode mode, String name, ForwardObserver observer) {
        Tensor z = normalize.forwardObserved(flatten.forward(x, mode), mode, childName(name, "normalize"), observer);
        Tensor out = body.forwardObserved(z, mode, childName(name, "body"), observer);
        observer.output(name, this, out);
        return out;
    }

    public Module body() {
        return body;
    }
}
