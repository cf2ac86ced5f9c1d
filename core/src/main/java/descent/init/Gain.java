package descent.init;

/**
 * The gain g that scales an initializer's standard deviation for the nonlinearity that follows
 * the layer, so that activations keep their second moment: g² = 1 / E[φ(z)²] for z ~ N(0, 1)
 * in the ReLU case (He et al., 2015), the values PyTorch's {@code calculate_gain} uses elsewhere.
 */
public final class Gain {

    /** Identity, and sigmoid by convention. */
    public static final double LINEAR = 1;
    public static final double SIGMOID = 1;
    /** 5/3, the empirical value that keeps tanh activations near unit variance. */
    public static final double TANH = 5.0 / 3;
    /** √2: ReLU zeroes half of a symmetric input, halving its second moment. */
    public static final double RELU = Math.sqrt(2);
    /** 3/4, for self-normalizing networks. */
    public static final double SELU = 0.75;

    private Gain() {}

    /** √(2 / (1 + a²)) for a leaky ReLU with negative slope a. */
    public static double leakyRelu(double negativeSlope) {
        return Math.sqrt(2 / (1 + negativeSlope * negativeSlope));
    }
}
