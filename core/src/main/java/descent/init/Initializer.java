package descent.init;

import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.random.RandomGenerator;

/**
 * Fills a new array of the given shape. Weights are laid out [out, in, ...] as in PyTorch, so
 * row i holds the incoming weights of unit i. {@code toString()} gives the scheme's formula.
 */
@FunctionalInterface
public interface Initializer {

    NdArray sample(DType dtype, RandomGenerator rng, int... shape);
}
