package descent.data;

import java.util.Arrays;
import java.util.Comparator;
import java.util.random.RandomGenerator;

/**
 * Curriculum learning (Bengio et al. 2009): examples are ranked by a difficulty score, and each
 * epoch draws, in shuffled order, from the easiest fraction of the data, a fraction that a pacing
 * function widens over the epochs until the whole data set is in the pool.
 */
public final class Curriculum implements Sampler {

    /** The fraction of the data (easiest first) in the pool at a 0-based epoch, in (0, 1]. */
    @FunctionalInterface
    public interface Pacing {
        double fraction(int epoch);

        /** From {@code start} at epoch 0 up to 1 linearly over {@code epochs} epochs. */
        static Pacing linear(double start, int epochs) {
            check(start, epochs);
            return e -> Math.min(1, start + (1 - start) * e / epochs);
        }

        /** Like {@link #linear} in the square of the fraction: fast early growth (Platanios et al. 2019). */
        static Pacing root(double start, int epochs) {
            check(start, epochs);
            return e -> Math.min(1, Math.sqrt(start * start + (1 - start * start) * e / epochs));
        }

        /** {@code start}, doubling every {@code every} epochs. */
        static Pacing step(double start, int every) {
            check(start, every);
            return e -> Math.min(1, start * Math.pow(2, e / every));
        }

        /**
         * From its command-line form: {@code linear:START:EPOCHS}, {@code root:START:EPOCHS} or
         * {@code step:START:EVERY}.
         */
        static Pacing parse(String spec) {
            String[] p = spec.split(":");
            try {
                if (p.length != 3) {
                    throw new IllegalArgumentException();
                }
                double start = Double.parseDouble(p[1]);
                int epochs = Integer.parseInt(p[2]);
                return switch (p[0]) {
                    case "linear" -> linear(start, epochs);
                    case "root" -> root(start, epochs);
                    case "step" -> step(start, epochs);
                    default -> throw new IllegalArgumentException();
                };
            } catch (IllegalArgumentException e) {
                String why = e.getMessage() == null ? "" : ": " + e.getMessage();
                throw new IllegalArgumentException("pacing '" + spec + "' is not linear:START:EPOCHS, root:START:EPOCHS "
                        + "or step:START:EVERY" + why);
            }
        }

        private static void check(double start, int epochs) {
            if (!(start > 0 && start <= 1) || epochs < 1) {
                throw new IllegalArgumentException("pacing needs a start fraction in (0, 1] and at least one epoch");
            }
        }
    }

    private final int[] easiestFirst;
    private final Pacing pacing;

    /** {@code difficulty[i]} scores example i; lower is easier. Ties keep data-set order. */
    public Curriculum(double[] difficulty, Pacing pacing) {
        Integer[] idx = new Integer[difficulty.length];
        Arrays.setAll(idx, i -> i);
        Arrays.sort(idx, Comparator.comparingDouble(i -> difficulty[i]));
        this.easiestFirst = Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
        this.pacing = pacing;
    }

    /** The number of examples in the pool at a 0-based epoch (at least one). */
    public int poolSize(int epoch) {
        return Math.max(1, (int) Math.ceil(pacing.fraction(epoch) * easiestFirst.length - 1e-9));
    }

    @Override
    public int[] order(int epoch, int size, RandomGenerator rng) {
        if (size != easiestFirst.length) {
            throw new IllegalArgumentException("curriculum scores " + easiestFirst.length + " examples, the data set has "
                    + size);
        }
        int n = poolSize(epoch);
        int[] pool = Arrays.copyOf(easiestFirst, n);
        Samplers.shuffle(pool, n, rng);
        return pool;
    }

    /**
     * A difficulty score that needs no model: the distance of each example to the mean of its
     * class, in units of that class's root-mean-square distance. Typical examples score low,
     * atypical ones (odd strokes, mislabelled digits) high.
     */
    public static double[] distanceToClassMean(Dataset data) {
        int d = data.featureSize();
        double[][] mean = new double[data.classes()][d];
        int[] count = new int[data.classes()];
        for (int i = 0; i < data.size(); i++) {
            int c = data.label(i);
            count[c]++;
            for (int j = 0; j < d; j++) {
                mean[c][j] += data.feature(i, j);
            }
        }
        for (int c = 0; c < mean.length; c++) {
            for (int j = 0; j < d; j++) {
                mean[c][j] /= Math.max(1, count[c]);
            }
        }
        double[] dist = new double[data.size()];
        double[] sumSq = new double[data.classes()];
        for (int i = 0; i < data.size(); i++) {
            int c = data.label(i);
            double s = 0;
            for (int j = 0; j < d; j++) {
                double diff = data.feature(i, j) - mean[c][j];
                s += diff * diff;
            }
            dist[i] = Math.sqrt(s);
            sumSq[c] += s;
        }
        for (int i = 0; i < dist.length; i++) {
            int c = data.label(i);
            double rms = Math.sqrt(sumSq[c] / count[c]);
            dist[i] = rms > 0 ? dist[i] / rms : 0;
        }
        return dist;
    }
}
