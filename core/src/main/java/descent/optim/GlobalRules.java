package descent.optim;

import descent.tensor.DType;
import descent.tensor.Fused;
import descent.tensor.NdArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The rules over all parameters at once: global-norm clipping and gradient accumulation. */
public final class GlobalRules {

    private GlobalRules() {}

    /**
     * Rescales the updates so that their global L2 norm over all parameters is at most
     * {@code maxNorm} (Pascanu et al., 2013), by PyTorch's factor maxNorm / (norm + 1e-6), the norm
     * summed in float64.
     */
    public static GlobalRule<Rule.Stateless> clipByGlobalNorm(double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("clipByGlobalNorm: max norm must be finite and positive, got " + maxNorm);
        }
        return new ClipByGlobalNorm(maxNorm);
    }

    private record ClipByGlobalNorm(double maxNorm) implements GlobalRule<Rule.Stateless> {
        @Override
        public Rule.Stateless init(Map<String, NdArray> params) {
            return new Rule.Stateless();
        }

        @Override
        public Step<Rule.Stateless> apply(Map<String, NdArray> updates, Rule.Stateless state) {
            double sumSquares = 0;
            for (NdArray u : updates.values()) {
                NdArray u64 = u.astype(DType.FLOAT64);
                sumSquares += u64.mul(u64).sum(false).item();
            }
            double norm = Math.sqrt(sumSquares);
            if (!(norm > maxNorm)) {
                return new Step<>(updates, state);
            }
            double scale = maxNorm / (norm + 1e-6);
            Map<String, NdArray> out = new LinkedHashMap<>();
            updates.forEach((name, u) -> out.put(name, u.mul(scale)));
            return new Step<>(out, state);
        }

        @Override
        public String toString() {
            return "clipByGlobalNorm(" + maxNorm + ")";
        }
    }

    /** The gradients summed so far in this window, by parameter, and how many steps they hold. */
    public record Accumulation(Map<String, NdArray> sums, long count) {
        public Accumulation {
            sums = Collections.unmodifiableMap(new LinkedHashMap<>(sums));
        }
    }

    /**
     * Gradient accumulation (Optax's MultiSteps): holds for k − 1 steps, summing the gradients, and
     * on the k-th passes on their mean, so k minibatches of b examples take one step as one batch of
     * k·b would. Each of the k gradients weighs the same, a short last batch too. A parameter passes
     * on at the k-th step only if it has a gradient then; what it summed before is dropped with the
     * window. k = 1 passes every update through.
     */
    public static GlobalRule<Accumulation> accumulate(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("accumulate: k must be at least 1, got " + k);
        }
        return new Accumulate(k);
    }

    private record Accumulate(int k) implements GlobalRule<Accumulation> {
        @Override
        public Accumulation init(Map<String, NdArray> params) {
            Map<String, NdArray> zeros = new LinkedHashMap<>();
            params.forEach((name, p) -> zeros.put(name, NdArray.zeros(p.dtype(), p.shape())));
            return new Accumulation(zeros, 0);
        }

        @Override
        public Step<Accumulation> apply(Map<String, NdArray> updates, Accumulation state) {
            if (k == 1) {
                return new Step<>(updates, state);
            }
            Map<String, NdArray> sums = new LinkedHashMap<>(state.sums());
            if (state.count() + 1 < k) {
                updates.forEach((name, u) -> sums.put(name, sum(state, name).add(u)));
                return new Step<>(null, new Accumulation(sums, state.count() + 1));
            }
            Map<String, NdArray> mean = new LinkedHashMap<>();
            updates.forEach((name, u) -> mean.put(name, Fused.axpby(1.0 / k, sum(state, name), 1.0 / k, u)));
            sums.replaceAll((name, s) -> NdArray.zeros(s.dtype(), s.shape()));
            return new Step<>(mean, new Accumulation(sums, 0));
        }

        private static NdArray sum(Accumulation state, String name) {
            NdArray s = state.sums().get(name);
            if (s == null) {
                throw new IllegalArgumentException("accumulate: no running sum for parameter '" + name + "'");
            }
            return s;
        }

        @Override
        public String toString() {
            return "accumulate(" + k + ")";
        }
    }
}
