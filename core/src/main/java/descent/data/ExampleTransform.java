package descent.data;

import java.util.random.RandomGenerator;

/**
 * Changes one example's features in place, drawing any randomness from {@code rng}: the form of
 * data augmentation. Called on the loader's background thread, one example after another in batch
 * order, so a seeded generator gives the same result however the threads are scheduled.
 */
@FunctionalInterface
public interface ExampleTransform {

    void apply(float[] features, int offset, RandomGenerator rng);
}
