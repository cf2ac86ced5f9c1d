package descent.nn;

import descent.autograd.Tensor;
import descent.tensor.NdArray;

/**
 * Dropout (Srivastava et al., 2014): in training each element is zeroed with probability p (kept
 * with probability q = 1 − p) by a mask drawn from the generator in the {@link Mode}. Two
 * {@link Form}s keep the expected output of training equal to the output of evaluation:
 * {@link Form#INVERTED} scales the survivors by 1/q in training, so evaluation is the identity;
 * {@link Form#SCALE_AT_TEST}, the lecture's form, keeps the survivors as they are and scales by q
 * in evaluation (the notes' "weights scaled with p at test time", their p being the keep
 * probability q: scaling this layer's output by q is scaling the next layer's weights by q).
 */
public final class Dropout extends Module {

    /** Where the 1/q correction goes. */
    public enum Form {
        /** Training: y = m·x/q; evaluation: y = x (PyTorch's and Keras's). */
        INVERTED,
        /** Training: y = m·x; evaluation: y = q·x (the lecture's). */
        SCALE_AT_TEST
    }

    private final double p;
    private final Form form;

    /** Inverted dropout with drop probability p. */
    public Dropout(double p) {
        this(p, Form.INVERTED);
    }

    public Dropout(double p, Form form) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        }
        this.p = p;
        this.form = java.util.Objects.requireNonNull(form, "form");
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        double keep = 1 - p;
        if (!mode.training()) {
            return form == Form.INVERTED || p == 0 ? x : x.mul(keep);
        }
        if (p == 0) {
            return x;
        }
        var rng = mode.requireRng("Dropout");
        double scale = form == Form.SCALE_AT_TEST ? 1 : keep == 0 ? 0 : 1 / keep;
        double[] mask = new double[x.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = rng.nextDouble() < keep ? scale : 0;
        }
        return x.mul(Tensor.of(NdArray.of(x.dtype(), mask, x.shape())));
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    public Form form() {
        return form;
    }

    @Override
    protected String extraRepr() {
        return "p=" + p + (form == Form.INVERTED ? "" : ", form=scale-at-test");
    }
}
