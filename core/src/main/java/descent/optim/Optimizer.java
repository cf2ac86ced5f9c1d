package descent.optim;

import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The stateful face of a {@link Rule}: {@link #step()} applies each group's rule to every
 * parameter that requires a gradient and has one (frozen parameters and parameters the loss did
 * not reach are skipped, their state untouched), and adds the result to the parameter. State is
 * created at a parameter's first step and kept by parameter name, so {@link #stateDict()} and
 * {@link #loadStateDict} resume a run exactly.
 *
 * <p>Optionally the gradients are first rescaled so that their global L2 norm over all
 * parameters is at most {@code maxNorm} (Pascanu et al., 2013; PyTorch's clip_grad_norm_).
 *
 * <p>SGD and Adam chains run fused ({@link FusedUpdate}): one pass per parameter, with the moments
 * updated in place while no one else holds them. Results are the same as the chain's.
 */
public final class Optimizer implements Minimizer {

    /** Parameters that share a rule and its hyper-parameters. */
    public record Group(Map<String, Tensor> params, Rule<?> rule) {
        public Group {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }
    }

    private final List<Group> groups;
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Rule<?>> rules = new LinkedHashMap<>();
    private final Map<String, Record> states = new LinkedHashMap<>();
    private final Map<String, FusedUpdate> fused = new HashMap<>();
    /** Parameters whose state arrays no one outside holds, so a fused step may write into them. */
    private final Set<String> ownsState = new HashSet<>();
    private double maxGradNorm = Double.POSITIVE_INFINITY;
    private long steps;

    public Optimizer(Map<String, Tensor> params, Rule<?> rule) {
        this(List.of(new Group(params, rule)));
    }

    public Optimizer(List<Group> groups) {
        this.groups = List.copyOf(groups);
        for (Group g : this.groups) {
            FusedUpdate plan = FusedUpdate.of(g.rule());
            g.params().forEach((name, t) -> {
                if (params.put(name, t) != null) {
                    throw new IllegalArgumentException("parameter '" + name + "' is in more than one group");
                }
                rules.put(name, g.rule());
                if (plan != null) {
                    fused.put(name, plan);
                }
            });
        }
    }

    /**
     * Two groups, the usual split for weight decay: weights (rank ≥ 2) get {@code weights};
     * biases and normalization scales and shifts (rank ≤ 1) get {@code vectors}.
     */
    public static List<Group> splitByRank(Map<String, Tensor> params, Rule<?> weights, Rule<?> vectors) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        Map<String, Tensor> v = new LinkedHashMap<>();
        params.forEach((n, t) -> (t.rank() >= 2 ? w : v).put(n, t));
        return List.of(new Group(w, weights), new Group(v, vectors));
    }

    /** Rescales gradients to a global norm of at most maxNorm before each step; returns this. */
    public Optimizer clipGradNorm(double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("clipGradNorm: max norm must be positive, got " + maxNorm);
        }
        this.maxGradNorm = maxNorm;
        return this;
    }

    /** Updates every parameter that has a gradient. */
    public void step() {
        Map<String, NdArray> grads = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            if (p.requiresGrad() && p.grad() != null) {
                grads.put(name, p.grad().value());
            }
        });
        double scale = clipScale(grads.values());
        grads.forEach((name, g) -> update(name, scale == 1 ? g : g.mul(scale)));
        steps++;
    }

    @Override
    public double step(Closure closure) {
        double loss = closure.evaluate();
        step();
        return loss;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void update(String name, NdArray grad) {
        Tensor p = params.get(name);
        Rule rule = rules.get(name);
        Record state = states.get(name);
        if (state == null) {
            state = rule.init(p.value());
        }
        FusedUpdate plan = fused.get(name);
        if (plan != null) {
            FusedUpdate.Result r = plan.step(grad, p.value(), (Rule.ChainState) state, ownsState.contains(name));
            states.put(name, r.state());
            ownsState.add(name);
            p.assign(r.param());
            return;
        }
        Rule.Step<?> s = rule.apply(grad, p.value(), state);
        states.put(name, (Record) s.state());
        ownsState.remove(name);
        p.assign(p.value().add(s.update()));
    }

    /** PyTorch's factor: maxNorm / (norm + 1e-6) when the norm exceeds maxNorm. */
    private double clipScale(Iterable<NdArray> grads) {
        if (maxGradNorm == Double.POSITIVE_INFINITY) {
            return 1;
        }
        double sumSquares = 0;
        for (NdArray g : grads) {
            NdArray g64 = g.astype(DType.FLOAT64);
            sumSquares += g64.mul(g64).sum(false).item();
        }
        double norm = Math.sqrt(sumSquares);
        return norm > maxGradNorm ? maxGradNorm / (norm + 1e-6) : 1;
    }

    /** Forgets every parameter's gradient. */
    public void zeroGrad() {
        params.values().forEach(Tensor::zeroGrad);
    }

    /** How many times {@link #step()} has run. */
    public long steps() {
        return steps;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(params);
    }

    public List<Group> groups() {
        return groups;
    }

    /**
     * The state of one parameter's rule, or null before its first step. The record is a snapshot:
     * later steps do not write into its arrays.
     */
    public Record state(String name) {
        ownsState.remove(name);
        return states.get(name);
    }

    /** Every parameter's state under {@code name/component}, and the step count; a snapshot, as {@link #state}. */
    @Override
    public Map<String, NdArray> stateDict() {
        ownsState.clear();
        return StateCodec.encodeByParameter(steps, states);
    }

    /**
     * Restores the state saved by {@link #stateDict()}. Names must match parameters of this
     * optimizer and shapes and dtypes their states; every problem is reported at once, and
     * nothing changes unless all is well.
     */
    @Override
    public void loadStateDict(Map<String, NdArray> state) {
        StateCodec.ByParameter loaded = StateCodec.decodeByParameter(state, params,
                name -> (Record) rules.get(name).init(params.get(name).value()));
        states.clear();
        states.putAll(loaded.states());
        ownsState.clear();
        steps = loaded.steps();
    }
}
