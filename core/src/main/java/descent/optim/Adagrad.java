package descent.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * AdaGrad as PyTorch has it: [clip each element] → L2 decay → g / (√s + ε) with s ← s + g²
 * (starting at {@code initialAccumulator}) → −lr(t), where PyTorch's lr_decay is the schedule
 * lr/(1 + t·lr_decay) ({@link Optimizers#adagrad}).
 */
public record Adagrad(Schedule lr, double initialAccumulator, double eps, double weightDecay, double clipValue)
        implements FirstOrder {

    public Adagrad {
        if (lr == null) {
            throw new IllegalArgumentException("adagrad: a learning rate is needed");
        }
        Transforms.requireNonNegative("adagrad", "initial accumulator value", initialAccumulator);
        Transforms.requireNonNegative("adagrad", "eps", eps);
        Transforms.requireNonNegative("adagrad", "weight decay", weightDecay);
        Transforms.requireNonNegative("adagrad", "clip value", clipValue);
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
        List<Rule<? extends Record>> chain = new ArrayList<>();
        if (clipValue > 0) {
            chain.add(Transforms.clipByValue(clipValue));
        }
        chain.add(Transforms.addWeightDecay(weightDecay));
        chain.add(Transforms.scaleByAdagrad(initialAccumulator, eps));
        chain.add(Transforms.scaleByLearningRate(lr));
        return new Rule.Chain(chain);
    }
}
