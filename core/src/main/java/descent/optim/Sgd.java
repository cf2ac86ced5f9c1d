package descent.optim;

import descent.kernels.SgdStep;
import descent.tensor.NdArray;
import descent.tensor.Updates;
import java.util.ArrayList;
import java.util.List;

/**
 * Stochastic gradient descent as PyTorch's SGD has it: [clip each element] → L2 decay →
 * [momentum] → −lr(t). Momentum is the classic trace (b ← μb + (1 − dampening)g, Nesterov's
 * correction optional), or in the notes' EMA form u ← μu + (1 − μ)g, optionally unbiased by
 * 1/(1 − μᵗ). Without element clipping and in the classic form it steps in one fused pass.
 *
 * @param lr          the learning rate at each step
 * @param momentum    μ, 0 for plain SGD
 * @param dampening   of the classic trace
 * @param nesterov    Nesterov's correction (classic form, momentum &gt; 0, no dampening)
 * @param weightDecay λ of the L2 term added to the gradient
 * @param emaForm     momentum as an exponential moving average of the gradients
 * @param unbias      with the EMA form, divide by 1 − μᵗ
 * @param clipValue   clip each gradient element to [−c, c] first; 0 for none
 */
public record Sgd(Schedule lr, double momentum, double dampening, boolean nesterov, double weightDecay,
                  boolean emaForm, boolean unbias, double clipValue) implements FirstOrder {

    public Sgd {
        Recipes.check("sgd", lr, weightDecay, clipValue);
        Transforms.requireNonNegative("sgd", "momentum", momentum);
        if (emaForm && (nesterov || dampening != 0)) {
            throw new IllegalArgumentException("sgd: the EMA form of momentum takes neither nesterov nor dampening "
                    + "(its (1 − μ) factor plays dampening's role); use the classic form for them");
        }
        if (unbias && !emaForm) {
            throw new IllegalArgumentException("sgd: unbias applies to the EMA form of momentum only");
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("sgd: Nesterov momentum needs momentum > 0 and zero dampening");
        }
    }

    public Sgd withSchedule(Schedule s) {
        return new Sgd(s, momentum, dampening, nesterov, weightDecay, emaForm, unbias, clipValue);
    }

    public Sgd withMomentum(double m) {
        return new Sgd(lr, m, dampening, nesterov, weightDecay, emaForm, unbias, clipValue);
    }

    public Sgd withDampening(double d) {
        return new Sgd(lr, momentum, d, nesterov, weightDecay, emaForm, unbias, clipValue);
    }

    public Sgd withNesterov(boolean on) {
        return new Sgd(lr, momentum, dampening, on, weightDecay, emaForm, unbias, clipValue);
    }

    public Sgd withWeightDecay(double lambda) {
        return new Sgd(lr, momentum, dampening, nesterov, lambda, emaForm, unbias, clipValue);
    }

    /** Momentum in the EMA form, unbiased or not. */
    public Sgd withEmaForm(boolean unbiased) {
        return new Sgd(lr, momentum, dampening, nesterov, weightDecay, true, unbiased, clipValue);
    }

    public Sgd withClipValue(double c) {
        return new Sgd(lr, momentum, dampening, nesterov, weightDecay, emaForm, unbias, c);
    }

    @Override
    public Rule<Rule.ChainState> rule() {
        Rule<? extends Record> decay = Transforms.addWeightDecay(weightDecay);
        Rule.Chain rules = emaForm ? Recipes.chain(clipValue, lr, decay, Transforms.ema(momentum, unbias))
                : momentum > 0 ? Recipes.chain(clipValue, lr, decay, Transforms.trace(momentum, dampening, nesterov))
                : Recipes.chain(clipValue, lr, decay);
        return clipValue > 0 || emaForm ? rules : new FusedChain(rules, this::stepInPlace);
    }

    /**
     * The chain's step in one pass ({@link Updates#sgd}) over the chain's states: decay's, the
     * trace's (with momentum), the learning rate's count.
     * {@code lr} is the chain's schedule: this recipe's, or its scaled twin after a rollback.
     */
    private FusedRule.Result<Rule.ChainState> stepInPlace(NdArray grad, NdArray param, Rule.ChainState state,
                                                          Schedule lr) {
        List<Record> next = new ArrayList<>(state.states());
        Transforms.Count count = (Transforms.Count) next.getLast();
        SgdStep h = new SgdStep(lr.at(count.count()), weightDecay, momentum, dampening, nesterov);
        NdArray newParam;
        if (momentum > 0) {
            Transforms.Trace t = (Transforms.Trace) next.get(1);
            newParam = Updates.sgd(h, param, grad, t.count() == 0 ? null : t.buffer(), t.buffer());
            next.set(1, new Transforms.Trace(t.buffer(), t.count() + 1));
        } else {
            newParam = Updates.sgd(h, param, grad, null, null);
        }
        next.set(next.size() - 1, new Transforms.Count(count.count() + 1));
        return new FusedRule.Result<>(newParam, new Rule.ChainState(next));
    }
}
