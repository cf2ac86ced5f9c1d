package descent.data;

import java.util.random.RandomGenerator;

/**
 * The order in which one epoch visits a data set: a sequence of example indices, possibly fewer
 * than all (a curriculum's pool). Given the same generator state it returns the same order.
 */
@FunctionalInterface
public interface Sampler {

    int[] order(int epoch, int size, RandomGenerator rng);
}
