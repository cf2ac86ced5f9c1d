package descent.optim;

/**
 * AdaGrad as PyTorch has it: [clip each element] → L2 decay → g / (√s + ε) with s ← s + g²
 * (starting at {@code initialAccumulator}) → −lr(t), where PyTorch's lr_decay is the schedule
 * lr/(1 + t·lr_decay) ({@link Optimizers#adagrad}).
 */
public record Adagrad(Schedule lr, double initialAccumulator, double eps, double weightDecay, double clipValue)
        implements FirstOrder {

    public Adagrad {
        Recipes.check("adagrad", lr, weightDecay, clipValue);
        Transforms.requireNonNegative("adagrad", "initial accumulator value", initialAccumulator);
        Transforms.requireNonNegative("adagrad", "eps", eps);
    }

    public Adagrad withSchedule(Schedule s) {
        return new Adagrad(s, initialAccumulator, eps, weightDecay, clipValue);
    }

    public Adagrad withInitialAccumulator(double v) {
        return new Adagrad(lr, v, eps, weightDecay, clipValue);
    }

    public Adagrad withEps(double e) {
        return new Adagrad(lr, initialAccumulator, e, weightDecay, clipValue);
    }

    public Adagrad withWeightDecay(double lambda) {
        return new Adagrad(lr, initialAccumulator, eps, lambda, clipValue);
    }

    public Adagrad withClipValue(double c) {
        return new Adagrad(lr, initialAccumulator, eps, weightDecay, c);
    }

    @Override
    public Rule<Rule.ChainState> rule() {
        return Recipes.chain(clipValue, lr, Transforms.addWeightDecay(weightDecay),
                Transforms.scaleByAdagrad(initialAccumulator, eps));
    }
}
