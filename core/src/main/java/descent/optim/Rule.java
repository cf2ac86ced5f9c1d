package descent.optim;

import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.List;

/**
 * A pure update rule for one parameter: {@link #init} makes its state, {@link #apply} maps an
 * incoming update (at first the gradient) to an outgoing one and the next state, never changing
 * its arguments. Rules compose with {@link #chain}: Adam is scale-by-Adam, then add decayed
 * weights, then scale by the learning rate, and the last rule's output is added to the parameter.
 *
 * @param <S> the rule's state, a record whose array components have the parameter's shape
 */
public interface Rule<S extends Record> {

    /** The state before the first step, for a parameter with this value. */
    S init(NdArray param);

    /** The outgoing update and next state, given the incoming update and the current parameter. */
    Step<S> apply(NdArray update, NdArray param, S state);

    /**
     * The learning-rate schedule this rule scales by, or null: lets an optimizer say its learning
     * rate without knowing how its rules are built.
     */
    default Schedule learningRate() {
        return null;
    }

    /**
     * This rule with its learning rate multiplied by {@code factor} at every step, keeping the same
     * state records (so an optimizer swaps it in mid-run); a rule without a schedule is unchanged.
     * A rule with a schedule must override this: the default refuses rather than ignore the factor.
     */
    default Rule<S> withLearningRateScaled(double factor) {
        if (learningRate() == null) {
            return this;
        }
        throw new UnsupportedOperationException(this + " scales by a learning rate but cannot scale it");
    }

    /** A rule's output: the update to pass on and the state to keep. */
    record Step<S>(NdArray update, S state) {}

    /** A rule without state. */
    record Stateless() {}

    /** The states of a chain's rules, in order. */
    record ChainState(List<Record> states) {
        public ChainState {
            states = List.copyOf(states);
        }
    }

    /** Applies the rules in order, each to the previous one's output. */
    @SafeVarargs
    @SuppressWarnings("varargs") // List.of only reads the array
    static Rule<ChainState> chain(Rule<? extends Record>... rules) {
        return chain(List.of(rules));
    }

    static Rule<ChainState> chain(List<Rule<? extends Record>> rules) {
        return new Chain(rules);
    }

    /** Rules applied in order, each to the previous one's output; see {@link #chain}. */
    record Chain(List<Rule<? extends Record>> rules) implements Rule<ChainState> {
        public Chain {
            rules = List.copyOf(rules);
        }

        @Override
        public ChainState init(NdArray param) {
            List<Record> states = new ArrayList<>();
            for (Rule<? extends Record> r : rules) {
                states.add(r.init(param));
            }
            return new ChainState(states);
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Step<ChainState> apply(NdArray update, NdArray param, ChainState state) {
            List<Record> next = new ArrayList<>(rules.size());
            for (int i = 0; i < rules.size(); i++) {
                Step<? extends Record> s = ((Rule) rules.get(i)).apply(update, param, state.states().get(i));
                update = s.update();
                next.add(s.state());
            }
            return new Step<>(update, new ChainState(next));
        }

        @Override
        public Chain withLearningRateScaled(double factor) {
            List<Rule<? extends Record>> scaled = new ArrayList<>(rules.size());
            for (Rule<? extends Record> r : rules) {
                scaled.add(r.withLearningRateScaled(factor));
            }
            return new Chain(scaled);
        }

        /** The first schedule among the rules. */
        @Override
        public Schedule learningRate() {
            for (Rule<? extends Record> r : rules) {
                if (r.learningRate() != null) {
                    return r.learningRate();
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "chain" + rules;
        }
    }
}
