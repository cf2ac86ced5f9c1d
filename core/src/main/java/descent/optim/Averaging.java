package descent.optim;

import descent.autograd.Tensor;
import descent.tensor.NdArray;
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

    private final Map<String, Tensor> params;
    private final boolean uniform;
    private final long start;
    private final double decay;
    private final Map<String, NdArray> average = new LinkedHashMap<>();
    private long updates;
    private long averaged;

    private Averaging(Map<String, Tensor> params, boolean uniform, long start, double decay) {
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.uniform = uniform;
        this.start = start;
        this.decay = decay;
    }

    /** The mean of the iterates after update number {@code start} (0 = from the first update). */
    public static Averaging polyak(Map<String, Tensor> params, long start) {
        if (start < 0) {
            throw new IllegalArgumentException("polyak: start must be >= 0, got " + start);
        }
        return new Averaging(params, true, start, 0);
    }

    /** θ̄ ← d·θ̄ + (1−d)·θ, starting from the first iterate. */
    public static Averaging exponential(Map<String, Tensor> params, double decay) {
        Transforms.requireFraction("exponential averaging", "decay", decay);
        return new Averaging(params, false, 0, decay);
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
                average.put(name, avg.mul(decay).add(v.mul(1 - decay)));
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
