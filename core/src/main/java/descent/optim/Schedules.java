package descent.optim;

import java.util.Arrays;

/** Learning-rate schedules: pure functions of the step t = 0, 1, 2, .... */
public final class Schedules {

    private Schedules() {}

    public static Schedule constant(double lr) {
        return t -> lr;
    }

    /** factor·s(t): the same curve at a fraction of its height (a rollback's halved rate). */
    public static Schedule scaled(Schedule s, double factor) {
        return t -> factor * s.at(t);
    }

    /** lr·γ^⌊t/size⌋ (PyTorch's StepLR). */
    public static Schedule step(double lr, long size, double gamma) {
        if (size <= 0) {
            throw new IllegalArgumentException("step schedule: size must be positive, got " + size);
        }
        return t -> lr * Math.pow(gamma, Math.floorDiv(t, size));
    }

    /** lr·γ^(number of milestones ≤ t) (PyTorch's MultiStepLR). */
    public static Schedule multiStep(double lr, long[] milestones, double gamma) {
        long[] m = milestones.clone();
        Arrays.sort(m);
        return t -> {
            int passed = 0;
            while (passed < m.length && m[passed] <= t) {
                passed++;
            }
            return lr * Math.pow(gamma, passed);
        };
    }

    /** lr·γᵗ. */
    public static Schedule exponential(double lr, double gamma) {
        return t -> lr * Math.pow(gamma, t);
    }

    /** lr / (1 + k·t): the 1/t decay that the Robbins-Monro conditions ask of SGD. */
    public static Schedule inverseTime(double lr, double k) {
        return t -> lr / (1 + k * t);
    }

    /** lr / √(1 + k·t). */
    public static Schedule inverseSqrt(double lr, double k) {
        return t -> lr / Math.sqrt(1 + k * t);
    }

    /** From lr to end over {@code steps} as (1 − t/steps)^power, then end. */
    public static Schedule polynomial(double lr, double end, double power, long steps) {
        requirePositive("polynomial", steps);
        return t -> t >= steps ? end : end + (lr - end) * Math.pow(1 - (double) t / steps, power);
    }

    /** Cosine annealing from lr to min over {@code period} steps, then min (Loshchilov &amp; Hutter, 2017). */
    public static Schedule cosine(double lr, double min, long period) {
        requirePositive("cosine", period);
        return t -> t >= period ? min : min + (lr - min) * (1 + Math.cos(Math.PI * t / period)) / 2;
    }

    /**
     * Cosine annealing with warm restarts (SGDR): cycles of {@code period}, each {@code mult}
     * times longer than the one before, restarting at lr.
     */
    public static Schedule cosineWithRestarts(double lr, double min, long period, long mult) {
        requirePositive("cosineWithRestarts", period);
        if (mult < 1) {
            throw new IllegalArgumentException("cosineWithRestarts: mult must be >= 1, got " + mult);
        }
        return t -> {
            long start = 0;
            long length = period;
            if (mult == 1) {
                start = t / period * period; // the loop below would take t / period turns
            }
            while (t - start >= length) {
                start += length;
                if (length > Long.MAX_VALUE / mult) {
                    length = Long.MAX_VALUE; // a cycle longer than any run: no overflow into a negative length
                    break;
                }
                length *= mult;
            }
            return min + (lr - min) * (1 + Math.cos(Math.PI * (t - start) / length)) / 2;
        };
    }

    /**
     * Linear warm-up: s(t) times a factor rising linearly from {@code startFactor} at t = 0 to 1 at
     * t = steps (PyTorch's LinearLR), then s(t) itself.
     */
    public static Schedule linearWarmup(Schedule s, long steps, double startFactor) {
        requirePositive("linearWarmup", steps);
        return t -> t >= steps ? s.at(t) : s.at(t) * (startFactor + (1 - startFactor) * (double) t / steps);
    }

    /** values[i] for boundaries[i−1] ≤ t &lt; boundaries[i]; values has one more entry than boundaries. */
    public static Schedule piecewise(long[] boundaries, double[] values) {
        if (values.length != boundaries.length + 1) {
            throw new IllegalArgumentException("piecewise: " + values.length + " values for " + boundaries.length
                    + " boundaries (need one more value than boundaries)");
        }
        for (int i = 1; i < boundaries.length; i++) {
            if (boundaries[i] <= boundaries[i - 1]) {
                throw new IllegalArgumentException("piecewise: boundaries must increase: " + Arrays.toString(boundaries));
            }
        }
        long[] b = boundaries.clone();
        double[] v = values.clone();
        return t -> {
            int i = 0;
            while (i < b.length && t >= b[i]) {
                i++;
            }
            return v[i];
        };
    }

    private static void requirePositive(String name, long steps) {
        if (steps <= 0) {
            throw new IllegalArgumentException(name + ": the number of steps must be positive, got " + steps);
        }
    }
}
