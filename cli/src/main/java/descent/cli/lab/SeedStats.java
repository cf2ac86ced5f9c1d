package descent.cli.lab;

import java.util.Arrays;
import java.util.Locale;

/** The mean and sample standard deviation of one quantity measured over several seeds. */
public record SeedStats(double[] values) {

    public SeedStats {
        values = values.clone();
    }

    public double mean() {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (0 for a single seed). */
    public double std() {
        if (values.length < 2) {
            return 0;
        }
        double m = mean();
        return Math.sqrt(Arrays.stream(values).map(v -> (v - m) * (v - m)).sum() / (values.length - 1));
    }

    /**
     * Whether {@code with} beats {@code without} seed by seed (the same seed pairs the two runs): higher
     * in every seed, and by at least {@code minMean} on average.
     */
    public static boolean higherInEverySeed(double[] with, double[] without, double minMean) {
        double sum = 0;
        for (int i = 0; i < with.length; i++) {
            if (!(with[i] > without[i])) {
                return false;
            }
            sum += with[i] - without[i];
        }
        return with.length > 0 && sum / with.length >= minMean;
    }

    /** {@code mean ± std} with {@code decimals} decimals, for a page or a verdict. */
    public String format(int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f ± %." + decimals + "f", mean(), std());
    }
}
