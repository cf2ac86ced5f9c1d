package descent.diagnostics;

import descent.autograd.Tensor;
import descent.nn.ForwardObserver;
import descent.nn.Module;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-layer statistics of a training run, sampled every N steps so they can stay on: for each
 * layer the norm, mean and variance of its output (activation) and of the loss gradient with
 * respect to that output, and for each parameter its norm, its gradient's and the
 * update-to-parameter ratio ‖θ_after − θ_before‖ / ‖θ_before‖ (about 1e-3 is the usual healthy
 * value; much larger means the step size is too large for that layer).
 *
 * <p>A step on which {@link #observe} returns an observer must run in this order: forward with the
 * observer, backward, optimizer step, then {@link #record}. On other steps nothing is kept and
 * nothing is computed. Layers are leaf modules (no children), named by their dotted path, found
 * inside every container (the body of a {@code Residual} included) because containers run their
 * children through {@link Module#forwardChild}.
 */
public final class Probes {

    /** What a sample describes. */
    public enum Quantity {
        ACTIVATION, ACTIVATION_GRADIENT, PARAMETER, PARAMETER_GRADIENT, UPDATE_RATIO;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One measurement. For {@link Quantity#UPDATE_RATIO} {@code norm} holds the ratio and the other
     * fields are NaN; {@code rows} is the batch size for activations (1 otherwise), so that
     * {@code norm / √rows} is the per-example norm.
     */
    public record Sample(long step, String name, Quantity quantity, double norm, double mean, double variance,
                         int rows) {
        public double normPerRow() {
            return norm / Math.sqrt(rows);
        }
    }

    public static final String CSV_HEADER = "step,name,quantity,norm,mean,variance,rows";

    private final Map<String, Tensor> parameters;
    private final int every;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, Tensor> outputs = new LinkedHashMap<>();
    private final Map<String, NdArray> before = new LinkedHashMap<>();
    private long pending = -1;

    /** Samples steps 1, 1 + every, 1 + 2·every, ... of training {@code model}. */
    public Probes(Module model, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("Probes: every must be at least 1, got " + every);
        }
        this.parameters = model.trainableParameters();
        this.every = every;
    }

    /** Whether the 1-based {@code step} is sampled. */
    public boolean due(long step) {
        return (step - 1) % every == 0;
    }

    /**
     * The observer for the forward pass of {@code step}, or null if the step is not sampled. It keeps
     * every layer's output (asking autograd to retain its gradient) and a copy of the parameters.
     */
    public ForwardObserver observe(long step) {
        if (!due(step)) {
            return null;
        }
        pending = step;
        outputs.clear();
        before.clear();
        parameters.forEach((name, p) -> before.put(name, p.value().copy()));
        return (name, module, output) -> {
            if (!name.isEmpty() && module.children().isEmpty()) {
                outputs.put(name, output.retainGrad());
            }
        };
    }

    /** Records the sampled step after its backward pass and optimizer step; a no-op otherwise. */
    public void record(long step) {
        if (step != pending) {
            return;
        }
        pending = -1;
        outputs.forEach((name, out) -> {
            int rows = out.rank() > 1 ? out.dim(0) : 1;
            add(step, name, Quantity.ACTIVATION, TensorStats.of(out.value()), rows);
            if (out.grad() != null) {
                add(step, name, Quantity.ACTIVATION_GRADIENT, TensorStats.of(out.grad().value()), rows);
            }
        });
        parameters.forEach((name, p) -> {
            NdArray old = before.get(name);
            TensorStats oldStats = TensorStats.of(old);
            add(step, name, Quantity.PARAMETER, oldStats, 1);
            if (p.grad() != null) {
                add(step, name, Quantity.PARAMETER_GRADIENT, TensorStats.of(p.grad().value()), 1);
            }
            double moved = TensorStats.of(p.value().sub(old)).norm();
            samples.add(new Sample(step, name, Quantity.UPDATE_RATIO, moved / oldStats.norm(), Double.NaN, Double.NaN, 1));
        });
        outputs.clear();
        before.clear();
    }

    private void add(long step, String name, Quantity q, TensorStats s, int rows) {
        samples.add(new Sample(step, name, q, s.norm(), s.mean(), s.variance(), rows));
    }

    public List<Sample> samples() {
        return Collections.unmodifiableList(samples);
    }

    /** The samples of one quantity at one step, in layer order. */
    public List<Sample> at(long step, Quantity quantity) {
        return samples.stream().filter(s -> s.step() == step && s.quantity() == quantity).toList();
    }

    /** Every sample as CSV rows under {@link #CSV_HEADER}. */
    public String csv() {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Sample s : samples) {
            sb.append(s.step()).append(',').append(s.name()).append(',').append(s.quantity().label()).append(',')
                    .append(s.norm()).append(',').append(s.mean()).append(',').append(s.variance()).append(',')
                    .append(s.rows()).append('\n');
        }
        return sb.toString();
    }
}
