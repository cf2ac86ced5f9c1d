package descent.optim;

import descent.autograd.Tensor;
import descent.tensor.DType;
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
 *
 * <p>{@link #scaleLearningRate} multiplies every group's learning rate by a factor from then on
 * (a rollback after a divergence halves it): each rule is swapped for its
 * {@link Rule#withLearningRateScaled scaled} twin, which keeps the same state, so every
 * first-order method honours it, and the factor is part of the state dict, so a resumed run
 * continues at the reduced rate.
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
        /** The group's rule as given, before any scaling of its learning rate. */
        final Rule<Record> given;
        Rule<Record> rule;
        Record state;

        @SuppressWarnings("unchecked")
        Slot(String name, Tensor param, Rule<?> rule) {
            this.name = name;
            this.param = param;
            this.given = (Rule<Record>) rule;
            this.rule = given;
        }
    }

    private final List<Group> groups;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final List<GlobalRule<Record>> globalRules = new ArrayList<>();
    /** The global rules' states, made at the first step. */
    private List<Record> globalStates;
    private long steps;
    /** The factor on every group's learning rate; 1 unless {@link #scaleLearningRate} was called. */
    private double learningRateScale = 1;

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
     * rule scales by a schedule, times {@link #learningRateScale()}; NaN if none does.
     */
    public double learningRate() {
        for (Group g : groups) {
            Schedule s = g.rule().learningRate();
            if (s != null) {
                return learningRateScale * s.at(Math.max(0, steps - 1));
            }
        }
        return Double.NaN;
    }

    /**
     * Multiplies every group's learning rate by {@code factor} (in (0, 1] and beyond: any finite
     * positive number) from the next step on; the factors multiply. Refused, with nothing changed,
     * when a rule scales by a schedule it cannot scale.
     */
    public void scaleLearningRate(double factor) {
        if (!(factor > 0) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException("learning-rate factor must be finite and positive, got " + factor);
        }
        applyLearningRateScale(learningRateScale * factor);
    }

    /** The factor on every group's learning rate: 1, or the product of {@link #scaleLearningRate}'s factors. */
    public double learningRateScale() {
        return learningRateScale;
    }

    private void applyLearningRateScale(double scale) {
        List<Rule<Record>> scaled = new ArrayList<>(slots.size());
        for (Slot s : slots) {
            scaled.add(scale == 1 ? s.given : s.given.withLearningRateScaled(scale));
        }
        for (int i = 0; i < slots.size(); i++) {
            slots.get(i).rule = scaled.get(i);
        }
        learningRateScale = scale;
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
     * {@code #global.I/component}, the step count, and the learning-rate factor under
     * {@code #lr_scale} when it is not 1 (so state dicts of unscaled runs read as they always did); copies.
     */
    @Override
    public Map<String, NdArray> stateDict() {
        Map<String, Record> states = new LinkedHashMap<>();
        for (Slot s : slots) {
            if (s.state != null) {
                states.put(s.name, s.state);
            }
        }
        Map<String, NdArray> out = StateCodec.encodeByParameter(steps, states,
                globalStates == null ? List.of() : globalStates);
        if (learningRateScale != 1) {
            out.put(LR_SCALE, NdArray.scalar(DType.FLOAT64, learningRateScale));
        }
        return out;
    }

    private static final String LR_SCALE = "#lr_scale";

    /**
     * Restores the state saved by {@link #stateDict()}. Names must match parameters of this
     * optimizer and shapes and dtypes their states; every problem is reported at once, and
     * nothing changes unless all is well.
     */
    @Override
    public void loadStateDict(Map<String, NdArray> state) {
        NdArray savedScale = state.get(LR_SCALE);
        double scale = savedScale == null ? 1 : savedScale.item();
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("optimizer state does not fit:\n  " + LR_SCALE + " is " + scale
                    + ", not a finite positive factor");
        }
        state = new LinkedHashMap<>(state);
        state.remove(LR_SCALE);
        Map<String, Rule<Record>> rules = new LinkedHashMap<>();
        slots.forEach(s -> rules.put(s.name, s.rule));
        List<Record> globalTemplates = new ArrayList<>();
        globalRules.forEach(r -> globalTemplates.add(r.init(values())));
        StateCodec.ByParameter loaded = StateCodec.decodeByParameter(state, params,
                name -> rules.get(name).init(params.get(name).value()), globalTemplates);
        applyLearningRateScale(scale);
        for (Slot s : slots) {
            s.state = loaded.states().get(s.name);
        }
        globalStates = new ArrayList<>(loaded.globalStates());
        steps = loaded.steps();
    }
}
