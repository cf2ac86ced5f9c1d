package descent.optim;

import descent.autograd.Tensor;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stateful face of the update rules. {@link #step()} gathers the gradient of every parameter
 * that requires one and has one (frozen parameters and parameters the loss did not reach are
 * skipped, their state untouched), passes them through the {@link GlobalRule}s in order, then
 * applies each parameter's group {@link Rule} and adds the result to the parameter. A rule that
 * offers a {@link FusedRule} step takes it.
 *
 * <p>The optimizer owns every state it keeps: it is made by the rules' {@code init} at a
 * parameter's first step, or loaded from a copy, and fused steps update its arrays in place.
 * {@link #state} and {@link #stateDict()} hand out copies, so {@link #loadStateDict} resumes a run
 * exactly and no one else sees the in-place writes.
 */
public final class Optimizer implements Minimizer {

    /** Parameters that share a rule and its hyper-parameters. */
    public record Group(Map<String, Tensor> params, Rule<?> rule) {
        public Group {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }
    }

    /** One parameter: its name, tensor, rule, and the rule's state (null before its first step). */
    private static final class Slot {
        final String name;
        final Tensor param;
        final Rule<Record> rule;
        Record state;

        @SuppressWarnings("unchecked")
        Slot(String name, Tensor param, Rule<?> rule) {
            this.name = name;
            this.param = param;
            this.rule = (Rule<Record>) rule;
        }
    }

    private final List<Group> groups;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final List<GlobalRule<Record>> globalRules = new ArrayList<>();
    /** The global rules' states, made at the first step. */
    private List<Record> globalStates;
    private long steps;

    public Optimizer(Map<String, Tensor> params, Rule<?> rule) {
        this(List.of(new Group(params, rule)), List.of());
    }

    public Optimizer(List<Group> groups) {
        this(groups, List.of());
    }

    /** Groups of parameters with their rules, after the global rules, applied in order. */
    @SuppressWarnings("unchecked")
    public Optimizer(List<Group> groups, List<GlobalRule<?>> globalRules) {
        this.groups = List.copyOf(groups);
        for (Group g : this.groups) {
            g.params().forEach((name, t) -> {
                if (params.put(name, t) != null) {
                    throw new IllegalArgumentException("parameter '" + name + "' is in more than one group");
                }
                slots.add(new Slot(name, t, g.rule()));
            });
        }
        for (GlobalRule<?> r : globalRules) {
            this.globalRules.add((GlobalRule<Record>) r);
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

    /**
     * Updates every parameter that has a gradient, unless a global rule holds the step (gradient
     * accumulation between its boundaries); {@link #steps()} counts the steps taken.
     */
    public void step() {
        Map<String, NdArray> updates = new LinkedHashMap<>();
        for (Slot s : slots) {
            if (s.param.requiresGrad() && s.param.grad() != null) {
                updates.put(s.name, s.param.grad().value());
            }
        }
        if (globalStates == null) {
            globalStates = new ArrayList<>();
            for (GlobalRule<Record> r : globalRules) {
                globalStates.add(r.init(values()));
            }
        }
        for (int i = 0; i < globalRules.size() && updates != null; i++) {
            GlobalRule.Step<Record> s = globalRules.get(i).apply(updates, globalStates.get(i));
            globalStates.set(i, s.state());
            updates = s.updates();
        }
        if (updates == null) {
            return;
        }
        for (Slot s : slots) {
            NdArray u = updates.get(s.name);
            if (u != null) {
                update(s, u);
            }
        }
        steps++;
    }

    @Override
    public double step(Closure closure) {
        double loss = closure.evaluate();
        step();
        return loss;
    }

    private static void update(Slot s, NdArray update) {
        NdArray p = s.param.value();
        Record state = s.state != null ? s.state : s.rule.init(p);
        if (s.rule instanceof FusedRule<Record> fused) {
            FusedRule.Result<Record> r = fused.stepInPlace(update, p, state);
            s.state = r.state();
            s.param.assign(r.param());
        } else {
            Rule.Step<Record> r = s.rule.apply(update, p, state);
            s.state = r.state();
            s.param.assign(p.add(r.update()));
        }
    }

    private Map<String, NdArray> values() {
        Map<String, NdArray> out = new LinkedHashMap<>();
        params.forEach((name, t) -> out.put(name, t.value()));
        return out;
    }

    /** Forgets every parameter's gradient. */
    public void zeroGrad() {
        params.values().forEach(Tensor::zeroGrad);
    }

    /** How many steps have updated the parameters. */
    public long steps() {
        return steps;
    }

    /**
     * The learning rate of the last step (of the first, before any), from the first group whose
     * rule scales by a schedule; NaN if none does.
     */
    public double learningRate() {
        for (Group g : groups) {
            Schedule s = g.rule().learningRate();
            if (s != null) {
                return s.at(Math.max(0, steps - 1));
            }
        }
        return Double.NaN;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(params);
    }

    public List<Group> groups() {
        return groups;
    }

    /** A copy of one parameter's state, or null before its first step. */
    public Record state(String name) {
        for (Slot s : slots) {
            if (s.name.equals(name)) {
                return s.state == null ? null : StateCodec.copy(s.state);
            }
        }
        throw new IllegalArgumentException("no parameter '" + name + "' in this optimizer; parameters: " + params.keySet());
    }

    /**
     * Every parameter's state under {@code name/component}, each global rule's under
     * {@code #global.I/component}, and the step count; copies.
     */
    @Override
    public Map<String, NdArray> stateDict() {
        Map<String, Record> states = new LinkedHashMap<>();
        for (Slot s : slots) {
            if (s.state != null) {
                states.put(s.name, s.state);
            }
        }
        return StateCodec.encodeByParameter(steps, states, globalStates == null ? List.of() : globalStates);
    }

    /**
     * Restores the state saved by {@link #stateDict()}. Names must match parameters of this
     * optimizer and shapes and dtypes their states; every problem is reported at once, and
     * nothing changes unless all is well.
     */
    @Override
    public void loadStateDict(Map<String, NdArray> state) {
        Map<String, Rule<Record>> rules = new LinkedHashMap<>();
        slots.forEach(s -> rules.put(s.name, s.rule));
        List<Record> globalTemplates = new ArrayList<>();
        globalRules.forEach(r -> globalTemplates.add(r.init(values())));
        StateCodec.ByParameter loaded = StateCodec.decodeByParameter(state, params,
                name -> rules.get(name).init(params.get(name).value()), globalTemplates);
        for (Slot s : slots) {
            s.state = loaded.states().get(s.name);
        }
        globalStates = new ArrayList<>(loaded.globalStates());
        steps = loaded.steps();
    }
}
