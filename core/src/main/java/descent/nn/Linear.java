package descent.nn;

import descent.autograd.Tensor;
import descent.init.Init;
import descent.init.Initializer;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;
import java.util.random.RandomGenerator;

/**
 * y = x·Wᵀ + b, with W stored [out, in] as in PyTorch (so row i holds unit i's incoming weights)
 * and b zero at first. Accepts inputs of any rank whose last axis has {@code in} features.
 */
public final class Linear extends Module {

    private final int in;
    private final int out;
    private final Tensor weight;
    private final Tensor bias;
    private final Initializer weightInit;

    /** A layer with the given weight initializer; biases start at zero. */
    public Linear(int in, int out, boolean bias, Initializer weightInit, DType dtype, RandomGenerator rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        this.weightInit = weightInit;
        this.weight = registerParameter("weight", weightInit.sample(dtype, rng, out, in));
        this.bias = bias ? registerParameter("bias", NdArray.zeros(dtype, out)) : null;
    }

    /** A float32 layer with a bias and weights from U(±1/√in), PyTorch's default. */
    public Linear(int in, int out, RandomGenerator rng) {
        this(in, out, true, Init.fanInUniform(), DType.FLOAT32, rng);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        if (x.rank() == 0 || x.dim(-1) != in) {
            throw new ShapeException("Linear(in=" + in + ", out=" + out + "): input shape " + Shapes.str(x.shape())
                    + " does not end in " + in + " features");
        }
        Tensor y = x.matmul(weight.transpose(0, 1));
        return bias == null ? y : y.add(bias);
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null for a layer without one. */
    public Tensor bias() {
        return bias;
    }

    /** The scheme the weights were drawn from (its {@code toString()} gives the formula). */
    public Initializer weightInit() {
        return weightInit;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    @Override
    protected String extraRepr() {
        return "in=" + in + ", out=" + out + ", bias=" + (bias != null);
    }
}
