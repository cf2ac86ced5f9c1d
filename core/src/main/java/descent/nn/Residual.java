package descent.nn;

import descent.autograd.Tensor;
import descent.init.Initializer;
import descent.tensor.DType;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A skip connection, y = x + f(x) (He et al., 2016): the identity path carries the signal and
 * its gradient past f unchanged, so deep stacks keep trainable gradients.
 */
public final class Residual extends Module {

    private final Module body;

    public Residual(Module body) {
        this.body = registerModule("body", body);
    }

    /**
     * A bottleneck block: x + W₂·φ(W₁·x) with W₁ narrowing {@code width} features to
     * {@code bottleneck} and W₂ widening them back.
     */
    public static Residual bottleneck(int width, int bottleneck, Activation activation, Initializer init,
                                      DType dtype, RandomGenerator rng) {
        return new Residual(new Sequential(
                new Linear(width, bottleneck, true, init, dtype, rng),
                activation,
                new Linear(bottleneck, width, true, init, dtype, rng)));
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Tensor fx = forwardChild("body", x, mode);
        if (!Arrays.equals(fx.shape(), x.shape())) {
            throw new ShapeException("Residual: the body maps shape " + Shapes.str(x.shape()) + " to "
                    + Shapes.str(fx.shape()) + "; x + f(x) needs them equal");
        }
        return x.add(fx);
    }

    public Module body() {
        return body;
    }
}
