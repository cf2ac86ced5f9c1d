package descent.nn;

import descent.autograd.Tensor;
import descent.tensor.NdArray;

/**
 * Inverted dropout (Srivastava et al., 2014): in training each element is zeroed with
 * probability p and the survivors are scaled by 1/(1−p), so evaluation is the identity and needs
 * no rescaling. Masks come from the generator in the {@link Mode}.
 */
public final class Dropout extends Module {

    private final double p;

    public Dropout(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        if (!mode.training() || p == 0) {
            return x;
        }
        var rng = mode.requireRng("Dropout");
        double keep = 1 - p;
        double scale = keep == 0 ? 0 : 1 / keep;
        double[] mask = new double[x.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = rng.nextDouble() < keep ? scale : 0;
        }
        return x.mul(Tensor.of(NdArray.of(x.dtype(), mask, x.shape())));
    }

    public double p() {
        return p;
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
