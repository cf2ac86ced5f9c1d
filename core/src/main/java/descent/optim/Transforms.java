package descent.optim;

import descent.kernels.BinaryOp;
import descent.kernels.UnaryOp;
import descent.tensor.Fused;
import descent.tensor.NdArray;

/**
 * The elementary update rules that optimizers are chained from. Each takes the incoming update u
 * (the gradient g at the head of a chain) and the parameter p; formulas follow PyTorch's
 * documented algorithms so that ported code gives the same numbers.
 */
public final class Transforms {

    private Transforms() {}

    /** A step counter: how many updates this parameter has had. */
    public record Count(long count) {}

    /** L2 regularization added to the gradient: u + λ·p. Place it before any scaling. */
    public static Rule<Rule.Stateless> addWeightDecay(double lambda) {
        return decay("addWeightDecay", lambda);
    }

    /**
     * Decoupled weight decay (Loshchilov &amp; Hutter, 2019): u + λ·p placed after the adaptive
     * scaling and before the learning rate, so p shrinks by lr·λ·p whatever the gradient scale.
     */
    public static Rule<Rule.Stateless> addDecayedWeights(double lambda) {
        return decay("addDecayedWeights", lambda);
    }

    private static Rule<Rule.Stateless> decay(String name, double lambda) {
        requireNonNegative(name, "weight decay", lambda);
        return new Decay(name, lambda);
    }

    /** u + λ·p, under the name of the rule that placed it. */
    private record Decay(String name, double lambda) implements Rule<Rule.Stateless> {
        @Override
        public Rule.Stateless init(NdArray param) {
            return new Rule.Stateless();
        }

        @Override
        public Step<Rule.Stateless> apply(NdArray u, NdArray p, Rule.Stateless s) {
            return new Step<>(lambda == 0 ? u : Fused.axpby(1, u, lambda, p), s);
        }

        @Override
        public String toString() {
            return name + "(" + lambda + ")";
        }
    }

    /** Each element clipped to [−c, c]. */
    public static Rule<Rule.Stateless> clipByValue(double c) {
        requireNonNegative("clipByValue", "bound", c);
        return stateless("clipByValue(" + c + ")", (u, p) -> u.zip(BinaryOp.MAX, -c).zip(BinaryOp.MIN, c));
    }

    /** −lr(t)·u: the last rule of a chain, whose output is added to the parameter. */
    public static Rule<Count> scaleByLearningRate(Schedule lr) {
        return new LearningRate(lr);
    }

    private record LearningRate(Schedule lr) implements Rule<Count> {
        @Override
        public Count init(NdArray param) {
            return new Count(0);
        }

        @Override
        public Schedule learningRate() {
            return lr;
        }

        @Override
        public Step<Count> apply(NdArray u, NdArray p, Count s) {
            return new Step<>(u.mul(-lr.at(s.count())), new Count(s.count() + 1));
        }

        @Override
        public Rule<Count> withLearningRateScaled(double factor) {
            return new LearningRate(Schedules.scaled(lr, factor));
        }

        @Override
        public String toString() {
            return "scaleByLearningRate";
        }
    }

    /** The momentum buffer b and how many updates it has seen. */
    public record Trace(NdArray buffer, long count) {}

    /**
     * Classic (heavy-ball) momentum as PyTorch's SGD has it: b ← g at the first step, then
     * b ← μ·b + (1 − dampening)·g; the output is b, or g + μ·b with Nesterov's correction
     * (Sutskever et al., 2013, in PyTorch's reformulation).
     */
    public static Rule<Trace> trace(double momentum, double dampening, boolean nesterov) {
        requireNonNegative("trace", "momentum", momentum);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and zero dampening");
        }
        return new TraceRule(momentum, dampening, nesterov);
    }

    private record TraceRule(double momentum, double dampening, boolean nesterov) implements Rule<Trace> {
        @Override
        public Trace init(NdArray param) {
            return new Trace(NdArray.zeros(param.dtype(), param.shape()), 0);
        }

        @Override
        public Step<Trace> apply(NdArray g, NdArray p, Trace s) {
            NdArray b = s.count() == 0 ? g : Fused.axpby(momentum, s.buffer(), 1 - dampening, g);
            NdArray out = nesterov ? Fused.axpby(1, g, momentum, b) : b;
            return new Step<>(out, new Trace(b, s.count() + 1));
        }

        @Override
        public String toString() {
            return "trace(momentum=" + momentum + ", dampening=" + dampening + ", nesterov=" + nesterov + ")";
        }
    }

    /** The exponential moving average u and how many updates it has seen. */
    public record Ema(NdArray average, long count) {}

    /**
     * Momentum in the notes' EMA form: u ← β·u + (1 − β)·g, output u, or with unbiasing
     * u / (1 − βᵗ), which corrects the pull toward the zero start in the first steps.
     */
    public static Rule<Ema> ema(double beta, boolean unbias) {
        requireFraction("ema", "beta", beta);
        return new Rule<>() {
            @Override
            public Ema init(NdArray param) {
                return new Ema(NdArray.zeros(param.dtype(), param.shape()), 0);
            }

            @Override
            public Step<Ema> apply(NdArray g, NdArray p, Ema s) {
                NdArray u = Fused.axpby(beta, s.average(), 1 - beta, g);
                long t = s.count() + 1;
                return new Step<>(unbias ? u.mul(1 / (1 - Math.pow(beta, t))) : u, new Ema(u, t));
            }

            @Override
            public String toString() {
                return "ema(beta=" + beta + ", unbias=" + unbias + ")";
            }
        };
    }

    /** Adam's moments: m, v, the running maximum of v for AMSGrad (null without), and the step count. */
    public record AdamMoments(NdArray m, NdArray v, NdArray vMax, long count) {}

    /**
     * Adam's direction (Kingma &amp; Ba, 2015): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², output
     * m̂ / (√v̂ + ε) with m̂ = m/(1−β₁ᵗ), √v̂ = √v/√(1−β₂ᵗ) as PyTorch computes it; without bias
     * correction m / (√v + ε). AMSGrad (Reddi et al., 2018) uses the running maximum of v.
     */
    public static Rule<AdamMoments> scaleByAdam(double beta1, double beta2, double eps, boolean biasCorrection,
                                                boolean amsgrad) {
        requireFraction("adam", "beta1", beta1);
        requireFraction("adam", "beta2", beta2);
        requireNonNegative("adam", "eps", eps);
        return new AdamRule(beta1, beta2, eps, biasCorrection, amsgrad);
    }

    private record AdamRule(double beta1, double beta2, double eps, boolean biasCorrection, boolean amsgrad)
            implements Rule<AdamMoments> {
        /** Separate zero arrays, so that a fused step may write each moment in place. */
        @Override
        public AdamMoments init(NdArray param) {
            return new AdamMoments(NdArray.zeros(param.dtype(), param.shape()), NdArray.zeros(param.dtype(), param.shape()),
                    amsgrad ? NdArray.zeros(param.dtype(), param.shape()) : null, 0);
        }

        @Override
        public Step<AdamMoments> apply(NdArray g, NdArray p, AdamMoments s) {
            long t = s.count() + 1;
            NdArray m = Fused.axpby(beta1, s.m(), 1 - beta1, g);
            NdArray v = Fused.addcmul(beta2, s.v(), 1 - beta2, g, g);
            NdArray vMax = amsgrad ? s.vMax().zip(BinaryOp.MAX, v) : null;
            NdArray out = Fused.ratioToRoot(1 / firstCorrection(t), m, 1 / secondCorrection(t), amsgrad ? vMax : v, eps);
            return new Step<>(out, new AdamMoments(m, v, vMax, t));
        }

        private double firstCorrection(long t) {
            return biasCorrection ? adamFirstCorrection(beta1, t) : 1;
        }

        private double secondCorrection(long t) {
            return biasCorrection ? adamSecondCorrection(beta2, t) : 1;
        }

        @Override
        public String toString() {
            return "scaleByAdam(beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps + ", biasCorrection="
                    + biasCorrection + ", amsgrad=" + amsgrad + ")";
        }
    }

    /** RMSProp's mean square v and, when centred, mean gradient (null otherwise). */
    public record RmsMoments(NdArray squareAverage, NdArray gradAverage) {}

    /**
     * RMSProp (Hinton's lecture 6e): v ← αv + (1−α)g², output g / (√v + ε); centred (Graves, 2013),
     * also ḡ ← αḡ + (1−α)g and output g / (√(v − ḡ²) + ε).
     */
    public static Rule<RmsMoments> scaleByRms(double alpha, double eps, boolean centered) {
        requireFraction("rmsprop", "alpha", alpha);
        requireNonNegative("rmsprop", "eps", eps);
        return new Rule<>() {
            @Override
            public RmsMoments init(NdArray param) {
                NdArray zero = NdArray.zeros(param.dtype(), param.shape());
                return new RmsMoments(zero, centered ? zero : null);
            }

            @Override
            public Step<RmsMoments> apply(NdArray g, NdArray p, RmsMoments s) {
                NdArray v = Fused.addcmul(alpha, s.squareAverage(), 1 - alpha, g, g);
                NdArray gAvg = centered ? Fused.axpby(alpha, s.gradAverage(), 1 - alpha, g) : null;
                NdArray spread = centered ? v.sub(gAvg.mul(gAvg)) : v;
                return new Step<>(Fused.ratioToRoot(1, g, 1, spread, eps), new RmsMoments(v, gAvg));
            }

            @Override
            public String toString() {
                return "scaleByRms(alpha=" + alpha + ", eps=" + eps + ", centered=" + centered + ")";
            }
        };
    }

    /** AdaGrad's running sum of squared gradients. */
    public record SquareSum(NdArray sum) {}

    /** AdaGrad (Duchi et al., 2011): s ← s + g², output g / (√s + ε); s starts at {@code initial}. */
    public static Rule<SquareSum> scaleByAdagrad(double initial, double eps) {
        requireNonNegative("adagrad", "initial accumulator value", initial);
        requireNonNegative("adagrad", "eps", eps);
        return new Rule<>() {
            @Override
            public SquareSum init(NdArray param) {
                return new SquareSum(NdArray.full(param.dtype(), initial, param.shape()));
            }

            @Override
            public Step<SquareSum> apply(NdArray g, NdArray p, SquareSum s) {
                NdArray sum = Fused.addcmul(1, s.sum(), 1, g, g);
                return new Step<>(Fused.ratioToRoot(1, g, 1, sum, eps), new SquareSum(sum));
            }

            @Override
            public String toString() {
                return "scaleByAdagrad(initial=" + initial + ", eps=" + eps + ")";
            }
        };
    }

    /** AdaDelta's running averages of squared gradients and of squared updates. */
    public record AdadeltaAverages(NdArray squareAverage, NdArray deltaAverage) {}

    /**
     * AdaDelta (Zeiler, 2012): v ← ρv + (1−ρ)g², Δ = √(a + ε)/√(v + ε)·g, a ← ρa + (1−ρ)Δ²,
     * output Δ (PyTorch then scales it by lr, 1.0 by default).
     */
    public static Rule<AdadeltaAverages> scaleByAdadelta(double rho, double eps) {
        requireFraction("adadelta", "rho", rho);
        requireNonNegative("adadelta", "eps", eps);
        return new Rule<>() {
            @Override
            public AdadeltaAverages init(NdArray param) {
                NdArray zero = NdArray.zeros(param.dtype(), param.shape());
                return new AdadeltaAverages(zero, zero);
            }

            @Override
            public Step<AdadeltaAverages> apply(NdArray g, NdArray p, AdadeltaAverages s) {
                NdArray v = Fused.addcmul(rho, s.squareAverage(), 1 - rho, g, g);
                NdArray std = v.add(eps).map(UnaryOp.SQRT);
                NdArray delta = s.deltaAverage().add(eps).map(UnaryOp.SQRT).div(std).mul(g);
                NdArray a = s.deltaAverage().mul(rho).add(delta.mul(delta).mul(1 - rho));
                return new Step<>(delta, new AdadeltaAverages(v, a));
            }

            @Override
            public String toString() {
                return "scaleByAdadelta(rho=" + rho + ", eps=" + eps + ")";
            }
        };
    }

    /** Adam's first bias correction at step t: 1 − β₁ᵗ. */
    static double adamFirstCorrection(double beta1, long t) {
        return 1 - Math.pow(beta1, t);
    }

    /** Adam's second bias correction at step t, as PyTorch applies it to √v: √(1 − β₂ᵗ). */
    static double adamSecondCorrection(double beta2, long t) {
        return Math.sqrt(1 - Math.pow(beta2, t));
    }

    // ---------------------------------------------------------------- helpers

    private interface Pure {
        NdArray apply(NdArray u, NdArray p);
    }

    private static Rule<Rule.Stateless> stateless(String name, Pure f) {
        return new Rule<>() {
            @Override
            public Rule.Stateless init(NdArray param) {
                return new Rule.Stateless();
            }

            @Override
            public Step<Rule.Stateless> apply(NdArray u, NdArray p, Rule.Stateless s) {
                return new Step<>(f.apply(u, p), s);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    static void requireNonNegative(String rule, String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(rule + ": " + what + " must be finite and >= 0, got " + v);
        }
    }

    static void requireFraction(String rule, String what, double v) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(rule + ": " + what + " must be in [0, 1), got " + v);
        }
    }
}
