package descent.optim;

import descent.tensor.Fused;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Nesterov momentum in the notes' look-ahead form as a per-parameter rule, so an {@link Optimizer}
 * trains with it on minibatches. The notes' method (as {@link LookaheadNesterov} runs it, with a
 * closure) is, with αₜ = lr(t),
 * <pre>
 *   g = ∇f(θₜ − αₜβuₜ),   uₜ₊₁ = βuₜ + c·g,   θₜ₊₁ = θₜ − αₜuₜ₊₁,
 * </pre>
 * c = 1 − β in the EMA form and 1 in the classic one. This rule keeps the parameters at the
 * look-ahead point φₜ = θₜ − αₜβuₜ instead, so the ordinary gradient at the parameters is the
 * look-ahead gradient g. Putting θ = φ + αβu into the update gives
 * <pre>
 *   φₜ₊₁ = φₜ − αₜ₊₁β²·uₜ − (αₜ + αₜ₊₁β)·c·g,
 * </pre>
 * which is exact for any schedule: a schedule is a function of the step, so the next step's rate
 * αₜ₊₁ that defines φₜ₊₁ is known now, and where the rate changes between steps (a decay, a warm-up
 * from 0) the look-ahead still moves by the rate it will be taken with. With a constant rate and
 * the classic form the update is PyTorch's {@code nesterov=True} step, p ← p − α(g + β·b) with
 * b ← βb + g (Sutskever et al., 2013): that is the same method, written on the look-ahead point.
 *
 * <p>The parameters are φ, so every training loss, evaluation, checkpoint and saved model is of the
 * look-ahead point, where the method's gradients were taken (as PyTorch's Nesterov parameters are).
 * The notes' iterate is θ = φ + αₜβuₜ ({@link #iterate}); the two differ by αₜβuₜ, which vanishes as
 * the method converges, and when the schedule ends at rate 0 (the cosine that {@code train} runs
 * by default) they are equal after the last step. Weight decay adds λφ to the gradient: the
 * gradient of f + ½λ‖θ‖² at the look-ahead point, so the method stays exact for the regularized
 * loss; element clipping, global-norm clipping and gradient accumulation act on g as for any rule.
 * The momentum start u₀ = 0 makes φ₀ = θ₀, so a model starts from its initial weights.
 *
 * @param lr          the learning rate at each step
 * @param momentum    β in [0, 1)
 * @param emaForm     u ← βu + (1 − β)g (the notes' table) rather than u ← βu + g
 * @param weightDecay λ of the L2 term added to the gradient
 * @param clipValue   clip each gradient element to [−c, c] first; 0 for none
 */
public record LookaheadMomentum(Schedule lr, double momentum, boolean emaForm, double weightDecay, double clipValue)
        implements FirstOrder {

    public LookaheadMomentum {
        Recipes.check("nesterov-lookahead", lr, weightDecay, clipValue);
        Transforms.requireFraction("nesterov-lookahead", "momentum", momentum);
    }

    /** The velocity u and the number of steps taken, which picks αₜ and αₜ₊₁ from the schedule. */
    public record Velocity(NdArray u, long count) {}

    public LookaheadMomentum withSchedule(Schedule s) {
        return new LookaheadMomentum(s, momentum, emaForm, weightDecay, clipValue);
    }

    public LookaheadMomentum withMomentum(double beta) {
        return new LookaheadMomentum(lr, beta, emaForm, weightDecay, clipValue);
    }

    /** The EMA form u ← βu + (1 − β)g, or (false) the classic u ← βu + g. */
    public LookaheadMomentum withEmaForm(boolean on) {
        return new LookaheadMomentum(lr, momentum, on, weightDecay, clipValue);
    }

    @Override
    public LookaheadMomentum withWeightDecay(double lambda) {
        return new LookaheadMomentum(lr, momentum, emaForm, lambda, clipValue);
    }

    public LookaheadMomentum withClipValue(double c) {
        return new LookaheadMomentum(lr, momentum, emaForm, weightDecay, c);
    }

    /** [clip each element] → L2 decay → the look-ahead step, which scales by the schedule itself. */
    @Override
    public Rule<Rule.ChainState> rule() {
        List<Rule<? extends Record>> rules = new ArrayList<>();
        if (clipValue > 0) {
            rules.add(Transforms.clipByValue(clipValue));
        }
        rules.add(Transforms.addWeightDecay(weightDecay));
        rules.add(new Step(lr, momentum, emaForm ? 1 - momentum : 1));
        return new Rule.Chain(rules);
    }

    /**
     * The notes' iterate θ = φ + αₜβuₜ of a parameter at the look-ahead point φ, given its state in
     * an optimizer of this rule ({@link Optimizer#state}); φ itself before its first step.
     */
    public NdArray iterate(NdArray lookaheadPoint, Record state) {
        if (state == null) {
            return lookaheadPoint;
        }
        if (!(state instanceof Rule.ChainState chain) || !(chain.states().getLast() instanceof Velocity v)) {
            throw new IllegalArgumentException("nesterov-lookahead: not the state of this rule: " + state);
        }
        return Fused.axpby(1, lookaheadPoint, lr.at(v.count()) * momentum, v.u());
    }

    /** φ ← φ − αₜ₊₁β²u − (αₜ + αₜ₊₁β)·c·g and u ← βu + c·g, with c the gradient's weight in u. */
    private record Step(Schedule lr, double beta, double c) implements Rule<Velocity> {
        @Override
        public Velocity init(NdArray param) {
            return new Velocity(NdArray.zeros(param.dtype(), param.shape()), 0);
        }

        @Override
        public Rule.Step<Velocity> apply(NdArray g, NdArray param, Velocity s) {
            double now = lr.at(s.count());
            double next = lr.at(s.count() + 1);
            NdArray move = Fused.axpby(-next * beta * beta, s.u(), -(now + next * beta) * c, g);
            return new Rule.Step<>(move, new Velocity(Fused.axpby(beta, s.u(), c, g), s.count() + 1));
        }

        @Override
        public Schedule learningRate() {
            return lr;
        }

        @Override
        public Rule<Velocity> withLearningRateScaled(double factor) {
            return new LookaheadMomentum.Step(Schedules.scaled(lr, factor), beta, c);
        }

        @Override
        public String toString() {
            return "lookaheadMomentum(beta=" + beta + ", c=" + c + ")";
        }
    }
}
