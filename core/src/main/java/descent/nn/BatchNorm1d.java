package descent.nn;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.kernels.UnaryOp;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;

/**
 * Batch normalization over [N, C] or [N, C, L] inputs (Ioffe &amp; Szegedy, 2015):
 * y = γ·(x − μ)/√(σ² + ε) + β per feature C. In training μ and σ² are the batch's mean and
 * biased variance, and the running averages are updated; in evaluation the running averages are
 * used. Parameters {@code weight} (γ) and {@code bias} (β), buffers {@code running_mean},
 * {@code running_var} and {@code num_batches_tracked}, named as in PyTorch.
 *
 * <p>The running-average convention is a {@link Momentum}: PyTorch's "momentum" is the weight on
 * the new batch (r ← (1−m)·r + m·batch, default m = 0.1, variance unbiased by N/(N−1)); Keras's
 * "momentum" is the weight on the old value (r ← m·r + (1−m)·batch, default m = 0.99, biased
 * variance); PyTorch's momentum=None is the cumulative average of all batches. The notes' EMA
 * (Piastra) weighs the new batch by δ like PyTorch, keeps the biased variance σ²_B = (1/m)Σ(x − μ_B)²,
 * and starts at the first batch, EMA⁽⁰⁾ = (μ_B⁽⁰⁾, σ²_B⁽⁰⁾), instead of at (0, 1). Whether the
 * first batch has been seen is {@code num_batches_tracked}, kept in the state dict, so a saved and
 * resumed model goes on averaging instead of starting again.
 */
public final class BatchNorm1d extends Module {

    /**
     * How running statistics follow the batches.
     *
     * @param weightOnNew      w in r ← (1−w)·r + w·batch (ignored when cumulative)
     * @param cumulative       use w = 1/(batches seen): the plain average of every batch so far
     * @param unbiasedVariance store the batch variance times N/(N−1)
     * @param startAtFirstBatch the first batch's statistics replace the initial (0, 1) outright
     *                          (weight 1 on the first batch), as in the notes' EMA⁽⁰⁾
     */
    public record Momentum(double weightOnNew, boolean cumulative, boolean unbiasedVariance,
                           boolean startAtFirstBatch) {
        public Momentum {
            if (!cumulative && !(weightOnNew >= 0 && weightOnNew <= 1)) {
                throw new IllegalArgumentException("BatchNorm1d: momentum weight must be in [0, 1], got " + weightOnNew);
            }
        }

        /** PyTorch's convention: {@code momentum} weighs the new batch. */
        public static Momentum pytorch(double momentum) {
            return new Momentum(momentum, false, true, false);
        }

        /** Keras's convention: {@code momentum} weighs the old running value; variance biased. */
        public static Momentum keras(double momentum) {
            return new Momentum(1 - momentum, false, false, false);
        }

        /** PyTorch's momentum=None: the cumulative average over all batches seen. */
        public static Momentum cumulativeAverage() {
            return new Momentum(Double.NaN, true, true, false);
        }

        /**
         * The notes' EMA: EMA⁽ᵗ⁾ = δ·batch⁽ᵗ⁾ + (1 − δ)·EMA⁽ᵗ⁻¹⁾ with EMA⁽⁰⁾ = the first batch's
         * mean and biased variance.
         */
        public static Momentum notes(double delta) {
            return new Momentum(delta, false, false, true);
        }

        /** This convention, but starting at the first batch's statistics. */
        public Momentum startingAtFirstBatch() {
            return new Momentum(weightOnNew, cumulative, unbiasedVariance, true);
        }

        double weight(double batchesSeen) {
            // The cumulative average gives the first batch weight 1 already.
            return cumulative ? 1 / batchesSeen : startAtFirstBatch && batchesSeen == 1 ? 1 : weightOnNew;
        }

        @Override
        public String toString() {
            String variance = unbiasedVariance ? "" : ", biased variance";
            return (cumulative ? "cumulative" : "weight on new batch " + weightOnNew) + variance
                    + (startAtFirstBatch && !cumulative ? ", starting at the first batch" : "");
        }
    }

    private final int features;
    private final double eps;
    private final Momentum momentum;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batchesTracked;

    /**
     * @param affine whether to learn γ (starting at 1) and β (starting at 0)
     */
    public BatchNorm1d(int features, double eps, Momentum momentum, boolean affine, DType dtype) {
        if (features <= 0 || !(eps > 0)) {
            throw new IllegalArgumentException("BatchNorm1d: features must be positive and eps > 0, got " + features
                    + ", " + eps);
        }
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? registerParameter("weight", NdArray.ones(dtype, features)) : null;
        this.bias = affine ? registerParameter("bias", NdArray.zeros(dtype, features)) : null;
        this.runningMean = registerBuffer("running_mean", NdArray.zeros(dtype, features));
        this.runningVar = registerBuffer("running_var", NdArray.ones(dtype, features));
        // A count, kept in float64 (exact to 2^53); PyTorch stores it as int64.
        this.batchesTracked = registerBuffer("num_batches_tracked", NdArray.zeros(DType.FLOAT64));
    }

    /** PyTorch's defaults: ε = 1e-5, momentum 0.1 on the new batch, affine. */
    public BatchNorm1d(int features, DType dtype) {
        this(features, 1e-5, Momentum.pytorch(0.1), true, dtype);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        if ((x.rank() != 2 && x.rank() != 3) || x.dim(1) != features) {
            throw new ShapeException("BatchNorm1d(" + features + "): input shape " + Shapes.str(x.shape())
                    + " is not [N, " + features + "] or [N, " + features + ", L]");
        }
        int[] axes = x.rank() == 2 ? new int[] {0} : new int[] {0, 2};
        int[] statShape = x.rank() == 2 ? new int[] {features} : new int[] {features, 1};
        Tensor normalized;
        if (mode.training()) {
            int count = Shapes.count(x.shape(), axes);
            if (count < 2) {
                throw new ShapeException("BatchNorm1d: training needs more than one value per feature, got input shape "
                        + Shapes.str(x.shape()));
            }
            Tensor mean = x.mean(true, axes);
            Tensor centered = x.sub(mean);
            Tensor var = centered.mul(centered).mean(true, axes);
            normalized = centered.div(var.add(eps).sqrt());
            updateRunningStatistics(mean.value().reshape(features), var.value().reshape(features), count);
        } else {
            NdArray mean = runningMean.value().reshape(statShape);
            NdArray std = runningVar.value().add(eps).map(UnaryOp.SQRT).reshape(statShape);
            normalized = x.sub(Tensor.of(mean)).div(Tensor.of(std));
        }
        if (weight == null) {
            return normalized;
        }
        return normalized.mul(weight.reshape(statShape)).add(bias.reshape(statShape));
    }

    private void updateRunningStatistics(NdArray batchMean, NdArray batchVar, int count) {
        try (var _ = GradMode.noGrad()) {
            double seen = batchesTracked.value().item() + 1;
            batchesTracked.assign(NdArray.scalar(DType.FLOAT64, seen));
            double w = momentum.weight(seen);
            NdArray var = momentum.unbiasedVariance() ? batchVar.mul((double) count / (count - 1)) : batchVar;
            runningMean.assign(runningMean.value().mul(1 - w).add(batchMean.mul(w)));
            runningVar.assign(runningVar.value().mul(1 - w).add(var.mul(w)));
        }
    }

    /** ε, added to the variance before its square root. */
    public double eps() {
        return eps;
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    /** γ, or null without affine parameters. */
    public Tensor weight() {
        return weight;
    }

    /** β, or null without affine parameters. */
    public Tensor bias() {
        return bias;
    }

    @Override
    protected String extraRepr() {
        return features + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (weight != null);
    }
}
