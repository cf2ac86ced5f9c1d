package descent.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * RMSProp as PyTorch has it: [clip each element] → L2 decay → g / (√v + ε) with v ← αv + (1−α)g²
 * (centred: v − ḡ²) → [momentum trace] → −lr(t).
 */
public record RmsProp(Schedule lr, double alpha, double eps, double weightDecay, double momentum, boolean centered,
                      double clipValue) implements FirstOrder {

    public RmsProp {
        if (lr == null) {
            throw new IllegalArgumentException("rmsprop: a learning rate is needed");
        }
        Transforms.requireFraction("rmsprop", "alpha", alpha);
        Transforms.requireNonNegative("rmsprop", "eps", eps);
        Transforms.requireNonNegative("rmsprop", "weight decay", weightDecay);
        Transforms.requireNonNegative("rmsprop", "momentum", momentum);
        Transforms.requireNonNegative("rmsprop", "clip value", clipValue);
    }

    public RmsProp withSchedule(Schedule s) {
        return new RmsProp(s, alpha, eps, weightDecay, momentum, centered, clipValue);
    }

    public RmsProp withAlpha(double a) {
        return new RmsProp(lr, a, eps, weightDecay, momentum, centered, clipValue);
    }

    public RmsProp withEps(double e) {
        return new RmsProp(lr, alpha, e, weightDecay, momentum, centered, clipValue);
    }

    public RmsProp withWeightDecay(double lambda) {
        return new RmsProp(lr, alpha, eps, lambda, momentum, centered, clipValue);
    }

    public RmsProp withMomentum(double m) {
        return new RmsProp(lr, alpha, eps, weightDecay, m, centered, clipValue);
    }

    public RmsProp withCentered(boolean on) {
        return new RmsProp(lr, alpha, eps, weightDecay, momentum, on, clipValue);
    }

    public RmsProp withClipValue(double c) {
        return new RmsProp(lr, alpha, eps, weightDecay, momentum, centered, c);
    }

    @Override
    public Rule<Rule.ChainState> rule() {
        List<Rule<? extends Record>> chain = new ArrayList<>();
        if (clipValue > 0) {
            chain.add(Transforms.clipByValue(clipValue));
        }
        chain.add(Transforms.addWeightDecay(weightDecay));
        chain.add(Transforms.scaleByRms(alpha, eps, centered));
        if (momentum > 0) {
            chain.add(Transforms.trace(momentum, 0, false));
        }
        chain.add(Transforms.scaleByLearningRate(lr));
        return new Rule.Chain(chain);
    }
}
