package descent.optim;

import descent.autograd.Tensor;
import descent.optim.fullbatch.Bfgs;
import descent.optim.fullbatch.ConjugateGradient;
import descent.optim.fullbatch.CoordinateDescent;
import descent.optim.fullbatch.Lbfgs;
import descent.optim.fullbatch.LineSearch;
import descent.optim.fullbatch.Newton;
import descent.optim.fullbatch.NewtonCg;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The first-order family by name, with PyTorch's hyper-parameter names and defaults where
 * PyTorch has the optimizer. Each is a chain of {@link Transforms}:
 * <ul>
 *   <li>{@code sgd} / {@code gd}: [L2] → [momentum: classic trace, or the notes' EMA] → −lr. With
 *       {@code momentum_form=ema}: u ← βu + (1−β)g with β = momentum, optionally unbiased.
 *   <li>{@code momentum}, {@code nesterov}: sgd with momentum 0.9 (and Nesterov's correction).
 *   <li>{@code nesterov-lookahead}: the notes' form, gradient at θ − lr·β·u ({@link LookaheadNesterov}).
 *   <li>{@code adam}, {@code amsgrad}: [L2] → Adam (bias correction switchable) → −lr.
 *   <li>{@code adamw}: Adam → decoupled decay (default 0.01) → −lr.
 *   <li>{@code adagrad}: [L2] → AdaGrad → −lr/(1 + lr_decay·t).
 *   <li>{@code rmsprop}: [L2] → RMS scaling (centred optional) → [momentum trace] → −lr.
 *   <li>{@code adadelta}: [L2] → AdaDelta → −lr (1.0).
 * </ul>
 * Every rule accepts {@code clip_value} (elementwise clipping of the gradient) and
 * {@code schedule} ({@link Schedules#parse}). The full-batch methods {@code cg}, {@code bfgs},
 * {@code lbfgs}, {@code newton-cg} and {@code newton}, {@code damped-newton}, {@code saddle-free-newton}
 * ({@code lr} = the step size α, {@code damping} = λ, {@code max_parameters}) take one iteration per
 * step; the Newton family needs an {@link Objective} closure.
 */
public final class Optimizers {

    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of("gd", "sgd", "momentum", "nesterov", "nesterov-lookahead", "adam",
            "amsgrad", "adamw", "adagrad", "rmsprop", "adadelta", "cg", "bfgs", "lbfgs", "newton", "damped-newton", "saddle-free-newton", "newton-cg", "coordinate-descent");

    private Optimizers() {}

    /** An optimizer over the parameters; hyper-parameters it does not take are an error. */
    public static Minimizer create(String name, Hyperparameters h, Map<String, Tensor> params) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("nesterov-lookahead")) {
            Schedule lr = schedule(n, h);
            double beta = h.number("momentum", 0.9);
            boolean ema = momentumForm(h);
            h.requireAllUsed(name);
            return new LookaheadNesterov(params, lr, beta, ema);
        }
        switch (n) {
            case "newton", "damped-newton", "saddle-free-newton" -> {
                Newton.Variant v = Newton.Variant.parse(n);
                Minimizer m = new Newton(params, v, h.number("lr", 1), h.number("damping",
                        v == Newton.Variant.PLAIN ? 0 : 1e-3), (int) h.number("max_parameters", Newton.DEFAULT_MAX_PARAMETERS));
                h.requireAllUsed(name);
                return m;
            }
            case "cg", "bfgs", "lbfgs", "newton-cg", "coordinate-descent" -> {
                Minimizer m = fullBatch(n, h, params);
                h.requireAllUsed(name);
                return m;
            }
            default -> { }
        }
        Rule<?> rule = rule(n, h);
        h.requireAllUsed(name);
        return new Optimizer(params, rule);
    }

    /** The update rule of a rule-based optimizer (every name but nesterov-lookahead). */
    public static Rule<Rule.ChainState> rule(String name, Hyperparameters h) {
        List<Rule<? extends Record>> chain = new ArrayList<>();
        double clip = h.number("clip_value", 0);
        if (clip > 0) {
            chain.add(Transforms.clipByValue(clip));
        }
        switch (name) {
            case "gd", "sgd", "momentum", "nesterov" -> {
                double momentum = h.number("momentum", name.equals("momentum") || name.equals("nesterov") ? 0.9 : 0);
                double dampening = h.number("dampening", 0);
                boolean nesterov = h.flag("nesterov", name.equals("nesterov"));
                boolean ema = momentumForm(h);
                chain.add(Transforms.addWeightDecay(h.number("weight_decay", 0)));
                if (ema) {
                    chain.add(Transforms.ema(momentum, h.flag("unbias", false)));
                } else if (momentum > 0) {
                    chain.add(Transforms.trace(momentum, dampening, nesterov));
                } else if (nesterov) {
                    throw new IllegalArgumentException(name + ": Nesterov momentum needs momentum > 0");
                }
                chain.add(Transforms.scaleByLearningRate(schedule(name, h)));
            }
            case "adam", "amsgrad", "adamw" -> {
                boolean decoupled = name.equals("adamw");
                double wd = h.number("weight_decay", decoupled ? 0.01 : 0);
                Rule<?> adam = Transforms.scaleByAdam(h.number("beta1", 0.9), h.number("beta2", 0.999),
                        h.number("eps", 1e-8), h.flag("bias_correction", true), h.flag("amsgrad", name.equals("amsgrad")));
                if (!decoupled) {
                    chain.add(Transforms.addWeightDecay(wd));
                }
                chain.add(adam);
                if (decoupled) {
                    chain.add(Transforms.addDecayedWeights(wd));
                }
                chain.add(Transforms.scaleByLearningRate(schedule(name, h)));
            }
            case "adagrad" -> {
                chain.add(Transforms.addWeightDecay(h.number("weight_decay", 0)));
                chain.add(Transforms.scaleByAdagrad(h.number("initial_accumulator_value", 0), h.number("eps", 1e-10)));
                chain.add(Transforms.scaleByLearningRate(schedule(name, h)));
            }
            case "rmsprop" -> {
                chain.add(Transforms.addWeightDecay(h.number("weight_decay", 0)));
                chain.add(Transforms.scaleByRms(h.number("alpha", 0.99), h.number("eps", 1e-8), h.flag("centered", false)));
                double momentum = h.number("momentum", 0);
                if (momentum > 0) {
                    chain.add(Transforms.trace(momentum, 0, false));
                }
                chain.add(Transforms.scaleByLearningRate(schedule(name, h)));
            }
            case "adadelta" -> {
                chain.add(Transforms.addWeightDecay(h.number("weight_decay", 0)));
                chain.add(Transforms.scaleByAdadelta(h.number("rho", 0.9), h.number("eps", 1e-6)));
                chain.add(Transforms.scaleByLearningRate(schedule(name, h)));
            }
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected one of "
                    + String.join(", ", NAMES) + ")");
        }
        return Rule.chain(chain);
    }

    /**
     * The full-batch methods, one iteration per step: {@code cg} (beta fr|pr|pr+|hs, restart N
     * iterations or 0, powell true|false), {@code bfgs}, {@code lbfgs} (history M); each takes
     * line_search armijo|strong-wolfe|exact.
     */
    private static Minimizer fullBatch(String name, Hyperparameters h, Map<String, Tensor> params) {
        String search = h.text("line_search", name.equals("coordinate-descent") ? "exact" : "strong-wolfe");
        LineSearch ls = switch (search) {
            case "armijo" -> LineSearch.armijo();
            case "strong-wolfe" -> name.equals("cg") ? LineSearch.strongWolfe(1e-4, 0.1, 40) : LineSearch.strongWolfe();
            case "exact" -> LineSearch.exact();
            default -> throw new IllegalArgumentException("line_search must be armijo, strong-wolfe or exact, got " + search);
        };
        return switch (name) {
            case "cg" -> new ConjugateGradient(params, ConjugateGradient.Beta.parse(h.text("beta", "pr+")),
                    (int) h.number("restart", 0), h.flag("powell", true), ls);
            case "bfgs" -> new Bfgs(params, ls);
            case "newton-cg" -> new NewtonCg(params, (int) h.number("max_inner", 200), ls);
            case "coordinate-descent" -> CoordinateDescent.coordinates(params, switch (h.text("order", "cyclic")) {
                case "cyclic" -> false;
                case "random" -> true;
                default -> throw new IllegalArgumentException("order must be cyclic or random");
            }, (long) h.number("seed", 0), ls);
            default -> new Lbfgs(params, (int) h.number("history", 10), ls);
        };
    }

    private static boolean momentumForm(Hyperparameters h) {
        return switch (h.text("momentum_form", "classic")) {
            case "classic" -> false;
            case "ema" -> true;
            default -> throw new IllegalArgumentException("momentum_form must be classic or ema");
        };
    }

    private static Schedule schedule(Hyperparameters h, double lrDefault) {
        double lr = h.number("lr", lrDefault);
        String s = h.text("schedule", null);
        return s == null ? Schedules.constant(lr) : Schedules.parse(s, lr);
    }

    /**
     * The learning-rate schedule a rule-based optimizer follows: {@code lr} (or the optimizer's
     * PyTorch default) under {@code schedule}; AdaGrad without a schedule decays as lr/(1 + t·lr_decay).
     */
    public static Schedule schedule(String name, Hyperparameters h) {
        return switch (name) {
            case "gd", "sgd", "momentum", "nesterov", "nesterov-lookahead" -> schedule(h, 0.01);
            case "adam", "amsgrad", "adamw" -> schedule(h, 1e-3);
            case "adagrad" -> h.text("schedule", null) != null ? schedule(h, 1e-2)
                    : Schedules.inverseTime(h.number("lr", 1e-2), h.number("lr_decay", 0));
            case "rmsprop" -> schedule(h, 1e-2);
            case "adadelta" -> schedule(h, 1.0);
            default -> throw new IllegalArgumentException(name + " has no learning-rate schedule");
        };
    }
}
