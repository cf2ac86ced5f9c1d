package descent.optim;

/** AdaDelta as PyTorch has it: [clip each element] → L2 decay → AdaDelta's step → −lr(t) (1.0 by default). */
public record Adadelta(Schedule lr, double rho, double eps, double weightDecay, double clipValue) implements FirstOrder {

    public Adadelta {
        Recipes.check("adadelta", lr, weightDecay, clipValue);
        Transforms.requireFraction("adadelta", "rho", rho);
        Transforms.requireNonNegative("adadelta", "eps", eps);
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
        return Recipes.chain(clipValue, lr, Transforms.addWeightDecay(weightDecay), Transforms.scaleByAdadelta(rho, eps));
    }
}
