package descent.nn;

import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;
import java.util.Arrays;

/**
 * Layer normalization (Ba et al., 2016): each example is normalized over its last axes
 * (the normalized shape) by its own mean and biased variance, the same in training and
 * evaluation, then scaled by {@code weight} and shifted by {@code bias} elementwise.
 */
public final class LayerNorm extends Module {

    private final int[] normalizedShape;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    public LayerNorm(int[] normalizedShape, double eps, boolean affine, DType dtype) {
        if (normalizedShape.length == 0 || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: needs a non-empty normalized shape and eps > 0");
        }
        this.normalizedShape = Shapes.check(normalizedShape.clone());
        this.eps = eps;
        this.weight = affine ? registerParameter("weight", NdArray.ones(dtype, normalizedShape)) : null;
        this.bias = affine ? registerParameter("bias", NdArray.zeros(dtype, normalizedShape)) : null;
    }

    /** Normalizes the last axis of the given size, with ε = 1e-5 and affine parameters. */
    public LayerNorm(int features, DType dtype) {
        this(new int[] {features}, 1e-5, true, dtype);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        int k = normalizedShape.length;
        int[] shape = x.shape();
        if (shape.length < k || !Arrays.equals(Arrays.copyOfRange(shape, shape.length - k, shape.length),
                normalizedShape)) {
            throw new ShapeException("LayerNorm" + Shapes.str(normalizedShape) + ": input shape " + Shapes.str(shape)
                    + " does not end in " + Shapes.str(normalizedShape));
        }
        int[] axes = new int[k];
        for (int i = 0; i < k; i++) {
            axes[i] = shape.length - k + i;
        }
        Tensor centered = x.sub(x.mean(true, axes));
        Tensor var = centered.mul(centered).mean(true, axes);
        Tensor y = centered.div(var.add(eps).sqrt());
        return weight == null ? y : y.mul(weight).add(bias);
    }

    /** The trailing axes each example is normalized over. */
    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    /** ε, added to the variance before its square root. */
    public double eps() {
        return eps;
    }

    /** The elementwise scale, or null without affine parameters. */
    public Tensor weight() {
        return weight;
    }

    /** The elementwise shift, or null without affine parameters. */
    public Tensor bias() {
        return bias;
    }

    @Override
    protected String extraRepr() {
        return Shapes.str(normalizedShape) + ", eps=" + eps + ", affine=" + (weight != null);
    }
}
