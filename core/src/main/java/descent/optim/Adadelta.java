package descent.optim;

import java.util.ArrayList;
import java.util.List;

/** AdaDelta as PyTorch has it: [clip each element] → L2 decay → AdaDelta's step → −lr(t) (1.0 by default). */
public record Adadelta(Schedule lr, double rho, double eps, double weightDecay, double clipValue) implements FirstOrder {

    public Adadelta {
        if (lr == null) {
            throw new IllegalArgumentException("adadelta: a learning rate is needed");
        }
        Transforms.requireFraction("adadelta", "rho", rho);
        Transforms.requireNonNegative("adadelta", "eps", eps);
        Transforms.requireNonNegative("adadelta", "weight decay", weightDecay);
        Transforms.requireNonNegative("adadelta", "clip value", clipValue);
    }

    public Adadelta withSchedule(Schedule s) {
        return new Adadelta(s, rho, eps, weightDecay, clipValue);
    }

    public Adadelta withRho(double r) {
        return new Adadelta(lr, r, eps, weightDecay, clipValue);
    }

    public Adadelta withEps(double e) {
        return new Adadelta(lr, rho, e, weightDecay, clipValue);
    }

    public Adadelta withWeightDecay(double lambda) {
        return new Adadelta(lr, rho, eps, lambda, clipValue);
    }

    public Adadelta withClipValue(double c) {
        return new Adadelta(lr, rho, eps, weightDecay, c);
    }

    @Override
    public Rule<Rule.ChainState> rule() {
        List<Rule<? extends Record>> chain = new ArrayList<>();
        if (clipValue > 0) {
            chain.add(Transforms.clipByValue(clipValue));
        }
        chain.add(Transforms.addWeightDecay(weightDecay));
        chain.add(Transforms.scaleByAdadelta(rho, eps));
        chain.add(Transforms.scaleByLearningRate(lr));
        return new Rule.Chain(chain);
    }
}
