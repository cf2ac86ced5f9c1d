package descent.data;

import java.util.random.RandomGenerator;

/** The usual sampling orders. */
public final class Samplers {

    private Samplers() {}

    /** Every example, in data-set order. */
    public static Sampler sequential() {
        return (epoch, size, rng) -> identity(size);
    }

    /** Every example, in a fresh uniformly random order each epoch (Fisher–Yates). */
    public static Sampler shuffled() {
        return (epoch, size, rng) -> permutation(size, rng);
    }

    static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    /** A uniformly random permutation of 0..n-1 drawn from {@code rng}. */
    public static int[] permutation(int n, RandomGenerator rng) {
        int[] p = identity(n);
        shuffle(p, p.length, rng);
        return p;
    }

    /** Shuffles the first {@code n} entries in place. */
    static void shuffle(int[] p, int n, RandomGenerator rng) {
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }
}
