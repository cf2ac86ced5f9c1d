package descent.optim;

/**
 * RMSProp as PyTorch has it: [clip each element] → L2 decay → g / (√v + ε) with v ← αv + (1−α)g²
 * (centred: v − ḡ²) → [momentum trace] → −lr(t).
 */
public record RmsProp(Schedule lr, double alpha, double eps, double weightDecay, double momentum, boolean centered,
                      double clipValue) implements FirstOrder {

    public RmsProp {
        Recipes.check("rmsprop", lr, weightDecay, clipValue);
        Transforms.requireFraction("rmsprop", "alpha", alpha);
        Transforms.requireNonNegative("rmsprop", "eps", eps);
        Transforms.requireNonNegative("rmsprop", "momentum", momentum);
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
        Rule<? extends Record> decay = Transforms.addWeightDecay(weightDecay);
        Rule<? extends Record> rms = Transforms.scaleByRms(alpha, eps, centered);
        return momentum > 0 ? Recipes.chain(clipValue, lr, decay, rms, Transforms.trace(momentum, 0, false))
                : Recipes.chain(clipValue, lr, decay, rms);
    }
}
