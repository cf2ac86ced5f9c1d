package descent.train;

import java.util.random.RandomGenerator;

/**
 * A seeded generator whose whole state is one {@code long} that can be read and restored, so a
 * checkpoint can hold every generator of a training run (the JDK's generators hide their state).
 * The SplitMix64 sequence (Steele, Lea and Flood 2014) passes BigCrush; {@code nextGaussian} and
 * friends come from {@link RandomGenerator}'s defaults, which draw only through {@link #nextLong()}.
 */
public final class SplitMix64 implements RandomGenerator {

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** An independent generator for a named purpose, derived from a run's seed. */
    public static SplitMix64 derive(long seed, String purpose) {
        return new SplitMix64(mix(seed ^ mix(purpose.hashCode() * GOLDEN_GAMMA)));
    }

    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
    }

    @Override
    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
