package descent.optim;

import descent.autograd.Tensor;
import descent.tensor.Fused;
import descent.tensor.NdArray;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Iterate averaging: a running average of the parameters kept beside them, updated after each
 * optimizer step, and swapped in for evaluation. Uniform (Polyak &amp; Juditsky, 1992): the plain
 * mean of the iterates from a start step on. Exponential (Polyak-Ruppert with forgetting, an EMA
 * of weights): θ̄ ← d·θ̄ + (1−d)·θ.
 */
public final class Averaging {

    /**
     * Which average to keep, apart from what it averages: {@link #polyak} or {@link #exponential},
     * written {@code polyak[:START]} or {@code ema:DECAY} ({@link #parse}, {@link #toString}).
     *
     * @param uniform the plain mean (Polyak) rather than the exponential one
     * @param start   updates skipped before the mean starts (uniform only)
     * @param decay   d in θ̄ ← d·θ̄ + (1−d)·θ (exponential only)
     */
    public record Spec(boolean uniform, long start, double decay) {
        public static final String FORM = "polyak[:START] (the mean of the iterates after START optimizer steps, "
                + "default 0) or ema:DECAY (an exponential average, DECAY in (0, 1))";

        public Spec {
            if (uniform && (start < 0 || decay != 0)) {
                throw new IllegalArgumentException("polyak: start must be >= 0 and there is no decay, got start " + start
                        + ", decay " + decay);
            }
            if (!uniform) {
                Transforms.requireFraction("exponential averaging", "decay", decay);
                if (start != 0) {
                    throw new IllegalArgumentException("exponential averaging starts at the first update, got start "
                            + start);
                }
            }
        }

        public static Spec polyak(long start) {
            return new Spec(true, start, 0);
        }

        public static Spec exponential(double decay) {
            return new Spec(false, 0, decay);
        }

        /** Reads {@code polyak}, {@code polyak:START} or {@code ema:DECAY}; anything else is refused with the form. */
        public static Spec parse(String spec) {
            String[] parts = spec.split(":", -1);
            try {
                if (parts[0].equals("polyak") && parts.length <= 2) {
                    long start = parts.length == 1 ? 0 : Long.parseLong(parts[1]);
                    if (start >= 0) {
                        return polyak(start);
                    }
                } else if (parts[0].equals("ema") && parts.length == 2) {
                    double decay = Double.parseDouble(parts[1]);
                    if (decay > 0 && decay < 1) {
                        return exponential(decay);
                    }
                }
            } catch (NumberFormatException e) {
                // refused below, with the form
            }
            throw new IllegalArgumentException("averaging '" + spec + "': expected " + FORM);
        }

        /** The average of {@code values} (parameters, running statistics) that this spec describes. */
        public Averaging over(Map<String, Tensor> values) {
            return new Averaging(values, this);
        }

        @Override
        public String toString() {
            return uniform ? (start == 0 ? "polyak" : "polyak:" + start) : "ema:" + decay;
        }
    }

    private final Map<String, Tensor> params;
    private final Spec spec;
    private final boolean uniform;
    private final long start;
    private final double decay;
    private final Map<String, NdArray> average = new LinkedHashMap<>();
    private long updates;
    private long averaged;

    private Averaging(Map<String, Tensor> params, Spec spec) {
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.spec = spec;
        this.uniform = spec.uniform();
        this.start = spec.start();
        this.decay = spec.decay();
    }

    /** The mean of the iterates after update number {@code start} (0 = from the first update). */
    public static Averaging polyak(Map<String, Tensor> params, long start) {
        return Spec.polyak(start).over(params);
    }

    /** θ̄ ← d·θ̄ + (1−d)·θ, starting from the first iterate. */
    public static Averaging exponential(Map<String, Tensor> params, double decay) {
        return Spec.exponential(decay).over(params);
    }

    public Spec spec() {
        return spec;
    }

    /** Calls of {@link #update()} so far. */
    public long updates() {
        return updates;
    }

    /** Iterates in the average so far (the updates after the start). */
    public long averaged() {
        return averaged;
    }

    /** Whether an average exists, that is, whether {@link #swapIn()} changes anything. */
    public boolean active() {
        return averaged > 0;
    }

    /** The averaged values by name (empty before any iterate was averaged): what a checkpoint saves. */
    public Map<String, NdArray> averages() {
        return Collections.unmodifiableMap(average);
    }

    /**
     * Puts back what {@link #updates()}, {@link #averaged()} and {@link #averages()} read, so an
     * interrupted run continues the same average. The values must be of the averaged tensors,
     * every one of them once an iterate was averaged, with their shapes and types.
     */
    public void restore(long updates, long averaged, Map<String, NdArray> averages) {
        if (averaged < 0 || averaged > updates || (averaged > 0) != !averages.isEmpty()) {
            throw new IllegalArgumentException("averaging: " + averaged + " averaged iterates of " + updates
                    + " updates do not fit " + averages.size() + " saved averages");
        }
        if (!averages.isEmpty()) {
            if (!averages.keySet().equals(params.keySet())) {
                throw new IllegalArgumentException("averaging: saved averages of " + averages.keySet()
                        + ", this average is of " + params.keySet());
            }
            averages.forEach((name, v) -> {
                Tensor p = params.get(name);
                if (v.dtype() != p.dtype() || !Arrays.equals(v.shape(), p.shape())) {
                    throw new IllegalArgumentException("averaging: the saved average of " + name + " is " + v.dtype()
                            + Arrays.toString(v.shape()) + ", the tensor is " + p.dtype() + Arrays.toString(p.shape()));
                }
            });
        }
        this.updates = updates;
        this.averaged = averaged;
        average.clear();
        averages.forEach((name, v) -> average.put(name, v.copy()));
    }

    /** Folds the parameters' current values into the average; call after each optimizer step. */
    public void update() {
        updates++;
        if (uniform && updates <= start) {
            return;
        }
        averaged++;
        params.forEach((name, p) -> {
            NdArray avg = average.get(name);
            NdArray v = p.value();
            if (avg == null) {
                average.put(name, v.copy());
            } else if (uniform) {
                average.put(name, avg.add(v.sub(avg).mul(1.0 / averaged))); // the running mean, one value at a time
            } else {
                average.put(name, Fused.axpby(decay, avg, 1 - decay, v)); // one pass, not three
            }
        });
    }

    /** The averaged value of a parameter, or null before any iterate was averaged. */
    public NdArray average(String name) {
        return average.get(name);
    }

    /**
     * Puts the averaged weights into the parameters until the scope closes, then restores the
     * training weights: {@code try (var s = averaging.swapIn()) { evaluate(model); }}.
     */
    public Scope swapIn() {
        Map<String, NdArray> saved = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            saved.put(name, p.value());
            NdArray avg = average.get(name);
            if (avg != null) {
                p.assign(avg);
            }
        });
        return () -> saved.forEach((name, v) -> params.get(name).assign(v));
    }

    /** Restores the training weights on close. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
