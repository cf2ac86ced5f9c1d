package descent.optim;

import descent.kernels.AdamStep;
import descent.tensor.NdArray;
import descent.tensor.Updates;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma &amp; Ba, 2015) as PyTorch's Adam and AdamW have it: [clip each element] → [L2
 * decay] → Adam's direction (bias correction switchable; AMSGrad's running maximum of v optional)
 * → [decoupled decay (Loshchilov &amp; Hutter, 2019)] → −lr(t). Without element clipping and
 * AMSGrad it steps in one fused pass.
 *
 * @param weightDecay    λ: added to the gradient (L2), or, when {@code decoupled}, to the direction
 * @param decoupled      AdamW's decay, which shrinks p by lr·λ·p whatever the gradient's scale
 * @param biasCorrection divide the moments by 1 − βᵗ
 * @param clipValue      clip each gradient element to [−c, c] first; 0 for none
 */
public record Adam(Schedule lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                   boolean amsgrad, boolean biasCorrection, double clipValue) implements FirstOrder {

    public Adam {
        Recipes.check("adam", lr, weightDecay, clipValue);
        Transforms.requireFraction("adam", "beta1", beta1);
        Transforms.requireFraction("adam", "beta2", beta2);
        Transforms.requireNonNegative("adam", "eps", eps);
    }

    public Adam withSchedule(Schedule s) {
        return new Adam(s, beta1, beta2, eps, weightDecay, decoupled, amsgrad, biasCorrection, clipValue);
    }

    public Adam withBetas(double b1, double b2) {
        return new Adam(lr, b1, b2, eps, weightDecay, decoupled, amsgrad, biasCorrection, clipValue);
    }

    public Adam withEps(double e) {
        return new Adam(lr, beta1, beta2, e, weightDecay, decoupled, amsgrad, biasCorrection, clipValue);
    }

    public Adam withWeightDecay(double lambda) {
        return new Adam(lr, beta1, beta2, eps, lambda, decoupled, amsgrad, biasCorrection, clipValue);
    }

    public Adam withAmsgrad(boolean on) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, decoupled, on, biasCorrection, clipValue);
    }

    public Adam withBiasCorrection(boolean on) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, on, clipValue);
    }

    public Adam withClipValue(double c) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, biasCorrection, c);
    }

    @Override
    public Rule<Rule.ChainState> rule() {
        Rule<? extends Record> adam = Transforms.scaleByAdam(beta1, beta2, eps, biasCorrection, amsgrad);
        Rule.Chain rules = decoupled ? Recipes.chain(clipValue, lr, adam, Transforms.addDecayedWeights(weightDecay))
                : Recipes.chain(clipValue, lr, Transforms.addWeightDecay(weightDecay), adam);
        return clipValue > 0 || amsgrad ? rules : new FusedChain(rules, this::stepInPlace);
    }

    /**
     * The chain's step in one pass ({@link Updates#adam}) over the chain's states: Adam's moments
     * at index 1 after L2 decay (0 with decoupled decay), the learning rate's count last.
     * {@code lr} is the chain's schedule: this recipe's, or its scaled twin after a rollback.
     */
    private FusedRule.Result<Rule.ChainState> stepInPlace(NdArray grad, NdArray param, Rule.ChainState state,
                                                          Schedule lr) {
        List<Record> next = new ArrayList<>(state.states());
        Transforms.Count count = (Transforms.Count) next.getLast();
        int at = decoupled ? 0 : 1;
        Transforms.AdamMoments moments = (Transforms.AdamMoments) next.get(at);
        long t = moments.count() + 1;
        double l2 = decoupled ? 0 : weightDecay;
        double decoupledDecay = decoupled ? weightDecay : 0;
        AdamStep h = new AdamStep(lr.at(count.count()), l2, decoupledDecay, beta1, beta2, eps,
                biasCorrection ? Transforms.adamFirstCorrection(beta1, t) : 1,
                biasCorrection ? Transforms.adamSecondCorrection(beta2, t) : 1);
        NdArray newParam = Updates.adam(h, param, grad, moments.m(), moments.v(), moments.m(), moments.v());
        next.set(at, new Transforms.AdamMoments(moments.m(), moments.v(), null, t));
        next.set(next.size() - 1, new Transforms.Count(count.count() + 1));
        return new FusedRule.Result<>(newParam, new Rule.ChainState(next));
    }
}
