package descent.optim;

import descent.kernels.AdamStep;
import descent.kernels.SgdStep;
import descent.optim.Rule.ChainState;
import descent.optim.Transforms.AdamMoments;
import descent.optim.Transforms.AdamRule;
import descent.optim.Transforms.Count;
import descent.optim.Transforms.Decay;
import descent.optim.Transforms.LearningRate;
import descent.optim.Transforms.Trace;
import descent.optim.Transforms.TraceRule;
import descent.tensor.NdArray;
import descent.tensor.Updates;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimizer's fast path for the two chains that train most models: SGD (weight decay →
 * [momentum] → −lr) and Adam ([L2] → Adam → [decoupled decay] → −lr, without AMSGrad). Such a
 * chain runs as one pass per parameter ({@link Updates}) instead of a pass and a new array per
 * rule, and updates its moments in place when the optimizer owns them. The numbers, and the state
 * records, are the chain's own, bit for bit; every other chain takes the general path.
 */
sealed interface FusedUpdate {

    /** The new parameter and the chain's next state. */
    record Result(NdArray param, ChainState state) {}

    /** The fused form of a rule, or null when it has none. */
    static FusedUpdate of(Rule<?> rule) {
        if (!(rule instanceof Rule.Chain chain)) {
            return null;
        }
        List<Rule<? extends Record>> r = chain.rules();
        if (r.size() >= 2 && r.getFirst() instanceof Decay decay && r.getLast() instanceof LearningRate lr) {
            if (r.size() == 2) {
                return new Sgd(decay, null, lr);
            }
            if (r.size() == 3 && r.get(1) instanceof TraceRule trace) {
                return new Sgd(decay, trace, lr);
            }
        }
        int at = r.size() >= 2 && r.getFirst() instanceof Decay ? 1 : 0;
        if (at < r.size() && r.get(at) instanceof AdamRule adam && !adam.amsgrad()
                && r.getLast() instanceof LearningRate lr) {
            int tail = r.size() - at - 1;
            if (tail == 1) {
                return new Adam(at == 1 ? (Decay) r.getFirst() : null, adam, null, lr);
            }
            if (tail == 2 && r.get(at + 1) instanceof Decay decoupled) {
                return new Adam(at == 1 ? (Decay) r.getFirst() : null, adam, decoupled, lr);
            }
        }
        return null;
    }

    /**
     * One step. When {@code ownsState}, no one else holds the state's arrays and they are updated
     * in place; otherwise the next state gets new arrays.
     */
    Result step(NdArray grad, NdArray param, ChainState state, boolean ownsState);

    private static NdArray target(NdArray current, boolean reuse) {
        return reuse ? current : NdArray.zeros(current.dtype(), current.shape());
    }

    private static double lambda(Decay d) {
        return d == null ? 0 : d.lambda();
    }

    /** Weight decay → [momentum] (trace null without) → −lr. */
    record Sgd(Decay decay, TraceRule trace, LearningRate lr) implements FusedUpdate {
        @Override
        public Result step(NdArray grad, NdArray param, ChainState state, boolean ownsState) {
            List<Record> s = state.states();
            Count count = (Count) s.getLast();
            List<Record> next = new ArrayList<>(s);
            NdArray newParam;
            if (trace == null) {
                SgdStep h = new SgdStep(lr.lr().at(count.count()), lambda(decay), 0, 0, false);
                newParam = Updates.sgd(h, param, grad, null, null);
            } else {
                Trace t = (Trace) s.get(1);
                boolean first = t.count() == 0;
                NdArray buffer = target(t.buffer(), ownsState && !first);
                SgdStep h = new SgdStep(lr.lr().at(count.count()), lambda(decay), trace.momentum(),
                        trace.dampening(), trace.nesterov());
                newParam = Updates.sgd(h, param, grad, first ? null : t.buffer(), buffer);
                next.set(1, new Trace(buffer, t.count() + 1));
            }
            next.set(next.size() - 1, new Count(count.count() + 1));
            return new Result(newParam, new ChainState(next));
        }
    }

    /** [L2 decay] → Adam → [decoupled decay] → −lr (l2 and decoupled null where absent). */
    record Adam(Decay l2, AdamRule adam, Decay decoupled, LearningRate lr) implements FusedUpdate {
        @Override
        public Result step(NdArray grad, NdArray param, ChainState state, boolean ownsState) {
            List<Record> s = state.states();
            Count count = (Count) s.getLast();
            int at = l2 == null ? 0 : 1; // where Adam's moments sit in the chain's states
            AdamMoments moments = (AdamMoments) s.get(at);
            long t = moments.count() + 1;
            // At the first step m and v are one shared zero array, so they are never written in place.
            boolean reuse = ownsState && moments.count() > 0;
            NdArray m = target(moments.m(), reuse);
            NdArray v = target(moments.v(), reuse);
            AdamStep h = new AdamStep(lr.lr().at(count.count()), lambda(l2), lambda(decoupled), adam.beta1(),
                    adam.beta2(), adam.eps(), adam.firstCorrection(t), adam.secondCorrection(t));
            NdArray newParam = Updates.adam(h, param, grad, moments.m(), moments.v(), m, v);
            List<Record> next = new ArrayList<>(s);
            next.set(at, new AdamMoments(m, v, null, t));
            next.set(next.size() - 1, new Count(count.count() + 1));
            return new Result(newParam, new ChainState(next));
        }
    }
}
