package descent.nn;

import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;

/**
 * Input normalization fitted on the training set: y = (x − mean) / std on [N, features] inputs,
 * with one mean and std per feature or a single global pair. Both are buffers, so they are saved
 * with the model and a reloaded model accepts raw inputs.
 */
public final class Standardize extends Module {

    private final Tensor mean;
    private final Tensor std;

    /** Arrays of length 1 (global) or one entry per feature; every std must be positive. */
    public Standardize(float[] mean, float[] std, DType dtype) {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("Standardize needs as many means as stds (and at least one), got "
                    + mean.length + " and " + std.length);
        }
        for (int i = 0; i < std.length; i++) {
            if (!(std[i] > 0) || !Float.isFinite(std[i]) || !Float.isFinite(mean[i])) {
                throw new IllegalArgumentException("Standardize: std " + std[i] + " / mean " + mean[i] + " of feature "
                        + i + " is not a finite mean with positive std");
            }
        }
        this.mean = registerBuffer("mean", NdArray.of(mean, mean.length).astype(dtype));
        this.std = registerBuffer("std", NdArray.of(std, std.length).astype(dtype));
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        int features = mean.dim(0);
        if (features != 1 && (x.rank() != 2 || x.dim(1) != features)) {
            throw new descent.tensor.ShapeException("Standardize: input shape " + descent.tensor.Shapes.str(x.shape())
                    + " does not match " + features + " features [N, " + features + "]");
        }
        return x.sub(mean).div(std);
    }

    /** The means subtracted: one per feature, or a single global one. */
    public Tensor mean() {
        return mean;
    }

    /** The standard deviations divided by, shaped as {@link #mean()}. */
    public Tensor std() {
        return std;
    }

    @Override
    protected String extraRepr() {
        return mean.dim(0) == 1 ? String.format("mean=%.4g, std=%.4g", mean.value().item(), std.value().item())
                : "features=" + mean.dim(0);
    }
}
