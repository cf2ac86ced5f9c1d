package descent.optim;

import descent.nn.BatchNorm1d;

/**
 * The same method written in different frameworks' conventions, and converters between them:
 * given hyper-parameters in one convention, the equivalent in another, exact where an exact
 * equivalent exists and otherwise the nearest, with why it is not exact. The update rules are
 * PyTorch's {@code torch.optim} and {@code BatchNorm1d}, Keras 3's {@code keras.optimizers} and
 * {@code BatchNormalization}, and the notes' forms. Learning rates are taken as constant: Keras
 * folds the rate into its velocity, which only matches the others while the rate does not change.
 */
public final class Conventions {

    private Conventions() {}

    /**
     * Hyper-parameters in the target convention.
     *
     * @param value the equivalent (or nearest) hyper-parameters
     * @param exact whether the two conventions then take the same steps (in the coordinates {@code note} says)
     * @param note  when exact, under which conditions ("" if none); when not, why and by how much they differ
     */
    public record Converted<H>(H value, boolean exact, String note) {

        static <H> Converted<H> exact(H value, String note) {
            return new Converted<>(value, true, note);
        }

        static <H> Converted<H> approximate(H value, String why) {
            return new Converted<>(value, false, why);
        }

        /** This conversion followed by one whose result is {@code next}: exact only if both are. */
        <N> Converted<N> then(N next, boolean nextExact, String nextNote) {
            boolean both = exact && nextExact;
            // Approximate: only the reasons; exact: every condition, each once.
            String a = both || !exact ? note : "";
            String b = both || !nextExact ? nextNote : "";
            return new Converted<>(next, both, a.isEmpty() || a.equals(b) ? b : b.isEmpty() ? a : a + "; " + b);
        }
    }

    // ---- SGD with momentum --------------------------------------------------------------------

    /** SGD with momentum in one of its conventions. */
    public sealed interface MomentumForm permits TorchMomentum, KerasMomentum, EmaMomentum {}

    /** PyTorch's SGD: b₁ = g₁, then b ← μ·b + (1 − τ)·g; θ ← θ − lr·b. */
    public record TorchMomentum(double lr, double momentum, double dampening) implements MomentumForm {}

    /** Keras's SGD: v ← μ·v − lr·g; θ ← θ + v (v = −lr·b in PyTorch's terms). */
    public record KerasMomentum(double learningRate, double momentum) implements MomentumForm {}

    /** The notes' EMA form: u ← β·u + (1 − β)·g from u = 0; θ ← θ − α·u. */
    public record EmaMomentum(double lr, double momentum) implements MomentumForm {}

    private static final String KERAS_VELOCITY = "with a constant learning rate (Keras folds it into the velocity)";

    public static Converted<TorchMomentum> toTorch(MomentumForm m) {
        return switch (m) {
            case TorchMomentum t -> Converted.exact(t, "");
            case KerasMomentum k -> Converted.exact(new TorchMomentum(k.learningRate(), k.momentum(), 0), KERAS_VELOCITY);
            // b = u/(1 − β) at every step, since both start from the first gradient alone.
            case EmaMomentum e -> Converted.exact(new TorchMomentum(e.lr() * (1 - e.momentum()), e.momentum(), 0), "");
        };
    }

    public static Converted<EmaMomentum> toEma(MomentumForm m) {
        if (m instanceof EmaMomentum e) {
            return Converted.exact(e, "");
        }
        Converted<TorchMomentum> t = toTorch(m);
        TorchMomentum v = t.value();
        double beta = v.momentum();
        if (!(beta < 1)) {
            throw new IllegalArgumentException("the EMA form needs momentum < 1 (its (1 − β)·g would vanish), got " + beta);
        }
        EmaMomentum e = new EmaMomentum(v.lr() * (1 - v.dampening()) / (1 - beta), beta);
        return v.dampening() == 0 ? t.then(e, true, "") : t.then(e, false, undamped(v));
    }

    public static Converted<KerasMomentum> toKeras(MomentumForm m) {
        if (m instanceof KerasMomentum k) {
            return Converted.exact(k, "");
        }
        Converted<TorchMomentum> t = toTorch(m);
        TorchMomentum v = t.value();
        KerasMomentum k = new KerasMomentum(v.lr() * (1 - v.dampening()), v.momentum());
        return v.dampening() == 0 ? t.then(k, true, KERAS_VELOCITY) : t.then(k, false, undamped(v));
    }

    private static String undamped(TorchMomentum v) {
        return "PyTorch takes the first gradient undamped (b₁ = g₁, not (1 − τ)·g₁), so its trace keeps an extra "
                + "τ·μᵗ⁻¹·g₁ = " + v.dampening() + "·" + v.momentum() + "ᵗ⁻¹·g₁ that fades only geometrically";
    }

    // ---- Nesterov momentum ----------------------------------------------------------------------

    /** Nesterov momentum in one of its conventions. */
    public sealed interface NesterovForm permits TorchNesterov, KerasNesterov, LookaheadForm {}

    /** PyTorch's SGD with nesterov=True: b ← μ·b + g; θ ← θ − lr·(g + μ·b). */
    public record TorchNesterov(double lr, double momentum) implements NesterovForm {}

    /** Keras's SGD with nesterov=True: v ← μ·v − lr·g; θ ← θ + μ·v − lr·g. */
    public record KerasNesterov(double learningRate, double momentum) implements NesterovForm {}

    /**
     * The notes' look-ahead form ({@link LookaheadNesterov}): g = ∇f(φ − α·β·u), u ← β·u + g
     * (classic) or u ← β·u + (1 − β)·g (EMA), φ ← φ − α·u.
     */
    public record LookaheadForm(double lr, double momentum, boolean emaForm) implements NesterovForm {}

    private static final String SHIFTED = "in shifted coordinates: PyTorch's θ is the look-ahead point φ − α·β·u "
            + "where the notes' form takes its gradient (constant learning rate)";

    public static Converted<TorchNesterov> toTorch(NesterovForm n) {
        return switch (n) {
            case TorchNesterov t -> Converted.exact(t, "");
            case KerasNesterov k -> Converted.exact(new TorchNesterov(k.learningRate(), k.momentum()), KERAS_VELOCITY);
            case LookaheadForm l -> Converted.exact(new TorchNesterov(l.emaForm() ? l.lr() * (1 - l.momentum()) : l.lr(),
                    l.momentum()), SHIFTED);
        };
    }

    public static Converted<KerasNesterov> toKeras(NesterovForm n) {
        if (n instanceof KerasNesterov k) {
            return Converted.exact(k, "");
        }
        Converted<TorchNesterov> t = toTorch(n);
        return t.then(new KerasNesterov(t.value().lr(), t.value().momentum()), true, KERAS_VELOCITY);
    }

    /** To the look-ahead form, classic or EMA. */
    public static Converted<LookaheadForm> toLookahead(NesterovForm n, boolean emaForm) {
        Converted<TorchNesterov> t = toTorch(n);
        double beta = t.value().momentum();
        if (emaForm && !(beta < 1)) {
            throw new IllegalArgumentException("the EMA form needs momentum < 1, got " + beta);
        }
        LookaheadForm l = new LookaheadForm(emaForm ? t.value().lr() / (1 - beta) : t.value().lr(), beta, emaForm);
        // Between the two look-ahead forms u' = (1 − β)·u and φ is the same point: no shift.
        return n instanceof LookaheadForm ? Converted.exact(l, "") : t.then(l, true, SHIFTED);
    }

    // ---- RMSprop --------------------------------------------------------------------------------

    /** RMSprop in one of its conventions. */
    public sealed interface RmsPropForm permits TorchRmsProp, KerasRmsProp {}

    /** PyTorch's: v ← α·v + (1 − α)·g²; θ ← θ − lr·g/(√v + eps) (momentum on that step, optional). */
    public record TorchRmsProp(double lr, double alpha, double eps, double momentum) implements RmsPropForm {}

    /** Keras's: v ← ρ·v + (1 − ρ)·g²; θ ← θ − lr·g/√(v + ε) (epsilon inside the root). */
    public record KerasRmsProp(double learningRate, double rho, double epsilon, double momentum) implements RmsPropForm {}

    private static final String ROOT = "Keras adds epsilon inside the square root, √(v + ε), PyTorch outside, √v + eps: "
            + "with eps = √ε they agree where v = 0 and both tend to √v for v ≫ ε, the denominators differing by up to "
            + "a factor √2 (at v = ε)";

    public static Converted<TorchRmsProp> toTorch(RmsPropForm r) {
        return switch (r) {
            case TorchRmsProp t -> Converted.exact(t, "");
            case KerasRmsProp k -> {
                TorchRmsProp t = new TorchRmsProp(k.learningRate(), k.rho(), Math.sqrt(k.epsilon()), k.momentum());
                yield k.epsilon() == 0 ? Converted.exact(t, k.momentum() > 0 ? KERAS_VELOCITY : "")
                        : Converted.approximate(t, ROOT);
            }
        };
    }

    public static Converted<KerasRmsProp> toKeras(RmsPropForm r) {
        return switch (r) {
            case KerasRmsProp k -> Converted.exact(k, "");
            case TorchRmsProp t -> {
                KerasRmsProp k = new KerasRmsProp(t.lr(), t.alpha(), t.eps() * t.eps(), t.momentum());
                yield t.eps() == 0 ? Converted.exact(k, t.momentum() > 0 ? KERAS_VELOCITY : "")
                        : Converted.approximate(k, ROOT);
            }
        };
    }

    // ---- Adam -----------------------------------------------------------------------------------

    /** Adam in one of its conventions. */
    public sealed interface AdamForm permits TorchAdam, KerasAdam {}

    /** PyTorch's (Algorithm 1 of the paper): θ ← θ − lr·m̂/(√v̂ + eps), m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ). */
    public record TorchAdam(double lr, double beta1, double beta2, double eps) implements AdamForm {}

    /**
     * Keras's (the paper's form before its Section 2.1): θ ← θ − lr·(√(1 − β₂ᵗ)/(1 − β₁ᵗ))·m/(√v + ε̂),
     * its epsilon being ε̂, added before the bias correction.
     */
    public record KerasAdam(double learningRate, double beta1, double beta2, double epsilon) implements AdamForm {}

    private static String epsilonHat(double beta2) {
        return "Keras's epsilon is the paper's ε̂, added to √v before the bias correction: its step is PyTorch's with "
                + "eps_t = ε̂/√(1 − β₂ᵗ), which falls from " + String.format(java.util.Locale.ROOT, "%.4g", 1 / Math.sqrt(1 - beta2))
                + "·ε̂ at t = 1 towards ε̂; eps = ε̂ is its limit";
    }

    public static Converted<TorchAdam> toTorch(AdamForm a) {
        return switch (a) {
            case TorchAdam t -> Converted.exact(t, "");
            case KerasAdam k -> {
                TorchAdam t = new TorchAdam(k.learningRate(), k.beta1(), k.beta2(), k.epsilon());
                yield k.epsilon() == 0 ? Converted.exact(t, "") : Converted.approximate(t, epsilonHat(k.beta2()));
            }
        };
    }

    public static Converted<KerasAdam> toKeras(AdamForm a) {
        return switch (a) {
            case KerasAdam k -> Converted.exact(k, "");
            case TorchAdam t -> {
                KerasAdam k = new KerasAdam(t.lr(), t.beta1(), t.beta2(), t.eps());
                yield t.eps() == 0 ? Converted.exact(k, "") : Converted.approximate(k, epsilonHat(t.beta2()));
            }
        };
    }

    // ---- Batch-norm running statistics ----------------------------------------------------------

    /** Batch norm's running statistics in one of their conventions. */
    public sealed interface BatchNormForm permits TorchBatchNorm, KerasBatchNorm, NotesBatchNorm {
        /** ε inside √(σ² + ε), the same place in all three. */
        double eps();

        /** The running-average rule of {@link BatchNorm1d}. */
        BatchNorm1d.Momentum runningStatistics();
    }

    /** PyTorch's: r ← (1 − m)·r + m·batch from (0, 1), the variance unbiased by N/(N − 1). */
    public record TorchBatchNorm(double momentum, double eps) implements BatchNormForm {
        @Override
        public BatchNorm1d.Momentum runningStatistics() {
            return BatchNorm1d.Momentum.pytorch(momentum);
        }
    }

    /** Keras's: r ← m·r + (1 − m)·batch from (0, 1), the variance biased. */
    public record KerasBatchNorm(double momentum, double epsilon) implements BatchNormForm {
        @Override
        public double eps() {
            return epsilon;
        }

        @Override
        public BatchNorm1d.Momentum runningStatistics() {
            return BatchNorm1d.Momentum.keras(momentum);
        }
    }

    /** The notes': EMA⁽ᵗ⁾ = δ·batch⁽ᵗ⁾ + (1 − δ)·EMA⁽ᵗ⁻¹⁾ from the first batch's statistics, the variance biased. */
    public record NotesBatchNorm(double momentum, double eps) implements BatchNormForm {
        @Override
        public BatchNorm1d.Momentum runningStatistics() {
            return BatchNorm1d.Momentum.notes(momentum);
        }
    }

    public static Converted<TorchBatchNorm> toTorch(BatchNormForm b) {
        return batchNorm(b, new TorchBatchNorm(b.runningStatistics().weightOnNew(), b.eps()));
    }

    public static Converted<KerasBatchNorm> toKeras(BatchNormForm b) {
        return batchNorm(b, new KerasBatchNorm(1 - b.runningStatistics().weightOnNew(), b.eps()));
    }

    public static Converted<NotesBatchNorm> toNotes(BatchNormForm b) {
        return batchNorm(b, new NotesBatchNorm(b.runningStatistics().weightOnNew(), b.eps()));
    }

    /** The weight on the new batch carries over exactly; what no hyper-parameter can carry is said. */
    private static <H extends BatchNormForm> Converted<H> batchNorm(BatchNormForm from, H to) {
        BatchNorm1d.Momentum a = from.runningStatistics();
        BatchNorm1d.Momentum b = to.runningStatistics();
        StringBuilder why = new StringBuilder();
        if (a.unbiasedVariance() != b.unbiasedVariance()) {
            why.append("the weights match exactly, and so do running_mean and the training outputs, but PyTorch "
                    + "stores the batch variance unbiased (×N/(N − 1)) in running_var where the other keeps it biased, "
                    + "so evaluation differs by up to that factor for batches of N");
        }
        if (a.startAtFirstBatch() != b.startAtFirstBatch()) {
            why.append(why.isEmpty() ? "" : "; ").append("the notes' averages start at the first batch's statistics, "
                    + "the frameworks' at mean 0 and variance 1, a difference that fades as (1 − δ)ᵗ");
        }
        return why.isEmpty() ? Converted.exact(to, "") : Converted.approximate(to, why.toString());
    }
}
