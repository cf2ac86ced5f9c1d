package descent.optim;

import descent.tensor.NdArray;

/**
 * A chain of rules that a recipe also knows how to step in one pass: the chain gives the state
 * records, the general path and the schedule; {@code fused} is the recipe's own step over the
 * chain's states ({@link Sgd}, {@link Adam}), which takes the chain's schedule so that a scaled
 * chain's fused step scales too.
 */
record FusedChain(Rule.Chain chain, InPlace fused) implements FusedRule<Rule.ChainState> {

    /** The recipe's one-pass step, with the contract of {@link FusedRule#stepInPlace}. */
    @FunctionalInterface
    interface InPlace {
        Result<Rule.ChainState> step(NdArray grad, NdArray param, Rule.ChainState state, Schedule lr);
    }

    @Override
    public Rule.ChainState init(NdArray param) {
        return chain.init(param);
    }

    @Override
    public Step<Rule.ChainState> apply(NdArray update, NdArray param, Rule.ChainState state) {
        return chain.apply(update, param, state);
    }

    @Override
    public Schedule learningRate() {
        return chain.learningRate();
    }

    @Override
    public Result<Rule.ChainState> stepInPlace(NdArray grad, NdArray param, Rule.ChainState state) {
        return fused.step(grad, param, state, chain.learningRate());
    }

    @Override
    public FusedChain withLearningRateScaled(double factor) {
        return new FusedChain(chain.withLearningRateScaled(factor), fused);
    }

    @Override
    public String toString() {
        return chain.toString();
    }
}
