package descent.cli;

import descent.autograd.Tensor;
import descent.optim.FirstOrder;
import descent.optim.Minimizer;
import descent.optim.Optimizers;
import descent.optim.Schedule;
import descent.optim.Schedules;
import descent.optim.fullbatch.ConjugateGradient;
import descent.optim.fullbatch.FullBatch;
import descent.optim.fullbatch.LineSearch;
import descent.optim.fullbatch.Newton;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Optimizers by name, with hyper-parameters by PyTorch's names ({@code lr}, {@code momentum},
 * {@code weight_decay}, {@code beta1}, ...) as the command line gives them, mapped onto the core's
 * typed recipes ({@link Optimizers}, {@link FullBatch}). A hyper-parameter a method does not take
 * is an error naming the ones it does.
 * <ul>
 *   <li>{@code sgd} / {@code gd}: lr, momentum, dampening, nesterov, weight_decay, and
 *       {@code momentum_form=ema} (u ← βu + (1−β)g, β = momentum) with {@code unbias}.
 *   <li>{@code momentum}, {@code nesterov}: sgd with momentum 0.9 (and Nesterov's correction).
 *   <li>{@code nesterov-lookahead}: the notes' form, gradient at θ − lr·β·u: lr, momentum (0.9),
 *       {@code momentum_form} classic|ema, weight_decay; neither nesterov (it is Nesterov's method),
 *       dampening nor unbias.
 *   <li>{@code adam}, {@code amsgrad}, {@code adamw}: lr, beta1, beta2, eps, weight_decay
 *       (adamw: decoupled, default 0.01), amsgrad, bias_correction.
 *   <li>{@code adagrad}: lr, lr_decay (lr/(1 + t·lr_decay) unless a schedule is given),
 *       initial_accumulator_value, eps, weight_decay.
 *   <li>{@code rmsprop}: lr, alpha, eps, weight_decay, momentum, centered.
 *   <li>{@code adadelta}: lr (1.0), rho, eps, weight_decay.
 * </ul>
 * Every first-order method takes {@code clip_value} (elementwise clipping of the gradient) and
 * {@code schedule} ({@link #schedule}). The full-batch methods {@code cg} (beta fr|pr|pr+|hs,
 * restart, powell), {@code bfgs}, {@code lbfgs} (history), {@code newton-cg} (max_inner),
 * {@code coordinate-descent} (order cyclic|random, seed), each with line_search
 * armijo|strong-wolfe|exact, and {@code newton}, {@code damped-newton}, {@code saddle-free-newton}
 * (lr = the step α, damping = λ but not for plain newton, max_parameters; newton and
 * saddle-free-newton: line_search armijo (the default safeguard) or none) take one iteration per step.
 */
public final class OptimizerNames {

    /** The names {@link #minimizer} accepts. */
    public static final List<String> NAMES = List.of("gd", "sgd", "momentum", "nesterov", "nesterov-lookahead", "adam",
            "amsgrad", "adamw", "adagrad", "rmsprop", "adadelta", "cg", "bfgs", "lbfgs", "newton", "damped-newton",
            "saddle-free-newton", "newton-cg", "coordinate-descent");

    /**
     * The names {@link #firstOrder} accepts: the methods that train on minibatches through an
     * optimizer's rules. For {@code nesterov-lookahead}, {@link #minimizer} gives the closure form,
     * whose parameters are the notes' θ (for trajectories), and {@link #firstOrder} the trainable one,
     * whose parameters are the look-ahead point ({@link descent.optim.LookaheadMomentum}).
     */
    public static final List<String> FIRST_ORDER = List.of("gd", "sgd", "momentum", "nesterov", "nesterov-lookahead",
            "adam", "amsgrad", "adamw", "adagrad", "rmsprop", "adadelta");

    /**
     * The full-batch methods that train networks: one iteration on the whole training set per epoch.
     * The others need what a network's n parameters make too large (Newton's n×n Hessian, one line
     * search per coordinate), and are for small problems ({@code ./descent trajectory}, the lab).
     */
    public static final List<String> FULL_BATCH_TRAINING = List.of("lbfgs", "cg", "bfgs", "newton-cg");

    private OptimizerNames() {}

    /** Refuses a method that {@code train} cannot train a network with, saying what to use instead. */
    public static void requireTrainable(String name) {
        if (FIRST_ORDER.contains(name) || FULL_BATCH_TRAINING.contains(name)) {
            return;
        }
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected one of "
                    + String.join(", ", NAMES) + ")");
        }
        throw new IllegalArgumentException(name + " is for small problems (" + (name.equals("coordinate-descent")
                ? "it takes one line search per parameter" : "it forms the n×n Hessian of all n parameters")
                + "): use it with ./descent trajectory or the lab. Networks train with the minibatch optimizers ("
                + String.join(", ", FIRST_ORDER) + ") or the full-batch " + String.join(", ", FULL_BATCH_TRAINING)
                + (name.endsWith("newton") ? " (newton-cg needs only Hessian-vector products)" : ""));
    }

    /** Any optimizer over the parameters; hyper-parameters it does not take are an error. */
    public static Minimizer minimizer(String name, Hyperparameters h, Map<String, Tensor> params) {
        String n = name.toLowerCase(Locale.ROOT);
        Minimizer m = switch (n) {
            case "nesterov-lookahead" -> Optimizers.nesterovLookahead(params, schedule(h, 0.01),
                    h.number("momentum", 0.9), emaForm(h));
            case "newton", "damped-newton", "saddle-free-newton" -> {
                Newton.Variant v = switch (n) {
                    case "newton" -> Newton.Variant.PLAIN;
                    case "damped-newton" -> Newton.Variant.DAMPED;
                    default -> Newton.Variant.SADDLE_FREE;
                };
                Newton.Safeguard guard = v == Newton.Variant.DAMPED ? Newton.Safeguard.BACKTRACKING
                        : switch (h.text("line_search", "armijo")) {
                            case "armijo" -> Newton.Safeguard.BACKTRACKING;
                            case "none" -> Newton.Safeguard.NONE;
                            default -> throw new IllegalArgumentException(n + ": line_search must be armijo (backtracking "
                                    + "along a descent direction) or none (the raw fixed step), got " + h.text("line_search", ""));
                        };
                yield FullBatch.newton(params, v, h.number("lr", 1), h.number("damping",
                        v == Newton.Variant.PLAIN ? 0 : 1e-3), (int) h.number("max_parameters", FullBatch.NEWTON_MAX_PARAMETERS),
                        guard);
            }
            case "cg", "bfgs", "lbfgs", "newton-cg", "coordinate-descent" -> fullBatch(n, h, params);
            default -> firstOrderUnchecked(n, h).over(params);
        };
        h.requireAllUsed(n);
        return m;
    }

    /** The recipe of a first-order method; hyper-parameters it does not take are an error. */
    public static FirstOrder firstOrder(String name, Hyperparameters h) {
        String n = name.toLowerCase(Locale.ROOT);
        FirstOrder f = firstOrderUnchecked(n, h);
        h.requireAllUsed(n);
        return f;
    }

    private static FirstOrder firstOrderUnchecked(String name, Hyperparameters h) {
        double clip = h.number("clip_value", 0);
        return switch (name) {
            case "gd", "sgd", "momentum", "nesterov" -> {
                boolean heavy = name.equals("momentum") || name.equals("nesterov");
                var sgd = Optimizers.sgd(0).withSchedule(schedule(h, 0.01)).withMomentum(h.number("momentum", heavy ? 0.9 : 0))
                        .withWeightDecay(h.number("weight_decay", 0)).withClipValue(clip);
                if (emaForm(h)) {
                    sgd = sgd.withEmaForm(h.flag("unbias", false));
                }
                sgd = sgd.withDampening(h.number("dampening", 0));
                boolean nesterov = h.flag("nesterov", name.equals("nesterov"));
                yield nesterov ? sgd.withNesterov(true) : sgd;
            }
            case "nesterov-lookahead" -> {
                if (h.has("nesterov")) {
                    throw new IllegalArgumentException("nesterov-lookahead is Nesterov's method already, in the notes' form; "
                            + "nesterov switches sgd to PyTorch's form of it: give --optimizer nesterov-lookahead or "
                            + "--optimizer sgd --nesterov, not both");
                }
                if (h.has("dampening")) {
                    throw new IllegalArgumentException("nesterov-lookahead takes no dampening: its EMA form "
                            + "(momentum_form=ema) weighs the gradient by 1 − momentum, dampening's role");
                }
                if (h.has("unbias")) {
                    throw new IllegalArgumentException("nesterov-lookahead has no unbiased form (unbiasing would change the "
                            + "look-ahead point); use sgd with momentum_form=ema and unbias");
                }
                yield Optimizers.lookaheadMomentum(0, h.number("momentum", 0.9)).withSchedule(schedule(h, 0.01))
                        .withEmaForm(emaForm(h)).withWeightDecay(h.number("weight_decay", 0)).withClipValue(clip);
            }
            case "adam", "amsgrad", "adamw" -> {
                var adam = name.equals("adamw") ? Optimizers.adamw(0, h.number("weight_decay", 0.01))
                        : Optimizers.adam(0).withWeightDecay(h.number("weight_decay", 0));
                yield adam.withSchedule(schedule(h, 1e-3)).withBetas(h.number("beta1", 0.9), h.number("beta2", 0.999))
                        .withEps(h.number("eps", 1e-8)).withBiasCorrection(h.flag("bias_correction", true))
                        .withAmsgrad(h.flag("amsgrad", name.equals("amsgrad"))).withClipValue(clip);
            }
            case "adagrad" -> {
                if (h.text("schedule", null) != null && h.has("lr_decay")) {
                    throw new IllegalArgumentException("adagrad: lr_decay is AdaGrad's own schedule, lr/(1 + t·lr_decay), "
                            + "and cannot combine with schedule " + h.text("schedule", null) + ": give one of them");
                }
                Schedule lr = h.text("schedule", null) != null ? schedule(h, 1e-2)
                        : Schedules.inverseTime(h.number("lr", 1e-2), h.number("lr_decay", 0));
                yield Optimizers.adagrad(0, 0).withSchedule(lr)
                        .withInitialAccumulator(h.number("initial_accumulator_value", 0)).withEps(h.number("eps", 1e-10))
                        .withWeightDecay(h.number("weight_decay", 0)).withClipValue(clip);
            }
            case "rmsprop" -> Optimizers.rmsprop(0).withSchedule(schedule(h, 1e-2)).withAlpha(h.number("alpha", 0.99))
                    .withEps(h.number("eps", 1e-8)).withWeightDecay(h.number("weight_decay", 0))
                    .withMomentum(h.number("momentum", 0)).withCentered(h.flag("centered", false)).withClipValue(clip);
            case "adadelta" -> Optimizers.adadelta(0).withSchedule(schedule(h, 1.0)).withRho(h.number("rho", 0.9))
                    .withEps(h.number("eps", 1e-6)).withWeightDecay(h.number("weight_decay", 0)).withClipValue(clip);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected one of "
                    + String.join(", ", NAMES) + ")");
        };
    }

    private static Minimizer fullBatch(String name, Hyperparameters h, Map<String, Tensor> params) {
        String search = h.text("line_search", name.equals("coordinate-descent") ? "exact" : "strong-wolfe");
        LineSearch ls = switch (search) {
            case "armijo" -> LineSearch.armijo();
            case "strong-wolfe" -> name.equals("cg") ? LineSearch.strongWolfe(1e-4, 0.1, 40) : LineSearch.strongWolfe();
            case "exact" -> LineSearch.exact();
            default -> throw new IllegalArgumentException("line_search must be armijo, strong-wolfe or exact, got " + search);
        };
        return switch (name) {
            case "cg" -> FullBatch.cg(params, beta(h.text("beta", "pr+")), (int) h.number("restart", 0),
                    h.flag("powell", true), ls);
            case "bfgs" -> FullBatch.bfgs(params, ls);
            case "newton-cg" -> FullBatch.newtonCg(params, (int) h.number("max_inner", 200), ls);
            case "coordinate-descent" -> FullBatch.coordinateDescent(params, switch (h.text("order", "cyclic")) {
                case "cyclic" -> false;
                case "random" -> true;
                default -> throw new IllegalArgumentException("order must be cyclic or random");
            }, (long) h.number("seed", 0), ls);
            default -> FullBatch.lbfgs(params, (int) h.number("history", 10), ls);
        };
    }

    private static ConjugateGradient.Beta beta(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "fr" -> ConjugateGradient.Beta.FR;
            case "pr" -> ConjugateGradient.Beta.PR;
            case "pr+" -> ConjugateGradient.Beta.PR_PLUS;
            case "hs" -> ConjugateGradient.Beta.HS;
            default -> throw new IllegalArgumentException("unknown CG beta '" + s + "' (expected fr, pr, pr+ or hs)");
        };
    }

    private static boolean emaForm(Hyperparameters h) {
        return switch (h.text("momentum_form", "classic")) {
            case "classic" -> false;
            case "ema" -> true;
            default -> throw new IllegalArgumentException("momentum_form must be classic or ema");
        };
    }

    /** {@code lr} (or the method's PyTorch default) under {@code schedule}, constant without one. */
    private static Schedule schedule(Hyperparameters h, double lrDefault) {
        double lr = h.number("lr", lrDefault);
        String s = h.text("schedule", null);
        return s == null ? Schedules.constant(lr) : schedule(s, lr);
    }

    /**
     * From its command-line form: {@code constant}, {@code step:SIZE:GAMMA}, {@code multistep:M1,M2:GAMMA},
     * {@code exponential:GAMMA}, {@code inverse-time:K}, {@code inverse-sqrt:K},
     * {@code polynomial:STEPS[:POWER[:END]]}, {@code cosine:PERIOD[:MIN]},
     * {@code cosine-restarts:PERIOD[:MULT[:MIN]]}, {@code piecewise:B1,B2:V0,V1,V2} (values absolute);
     * any of them may end in {@code +warmup:STEPS}.
     */
    public static Schedule schedule(String spec, double lr) {
        try {
            String[] warm = spec.split("\\+warmup:"); // nothing at all for "+warmup:": caught below
            String[] p = warm[0].trim().split(":");
            Schedule s = switch (p[0]) {
                case "constant", "" -> Schedules.constant(lr);
                case "step" -> Schedules.step(lr, Long.parseLong(p[1]), Double.parseDouble(p[2]));
                case "multistep" -> Schedules.multiStep(lr, longs(p[1]), Double.parseDouble(p[2]));
                case "exponential" -> Schedules.exponential(lr, Double.parseDouble(p[1]));
                case "inverse-time" -> Schedules.inverseTime(lr, Double.parseDouble(p[1]));
                case "inverse-sqrt" -> Schedules.inverseSqrt(lr, Double.parseDouble(p[1]));
                case "polynomial" -> Schedules.polynomial(lr, p.length > 3 ? Double.parseDouble(p[3]) : 0, p.length > 2
                        ? Double.parseDouble(p[2]) : 1, Long.parseLong(p[1]));
                case "cosine" -> Schedules.cosine(lr, p.length > 2 ? Double.parseDouble(p[2]) : 0, Long.parseLong(p[1]));
                case "cosine-restarts" -> Schedules.cosineWithRestarts(lr, p.length > 3 ? Double.parseDouble(p[3]) : 0,
                        Long.parseLong(p[1]), p.length > 2 ? Long.parseLong(p[2]) : 1);
                case "piecewise" -> Schedules.piecewise(longs(p[1]), Arrays.stream(p[2].split(",")).mapToDouble(Double::parseDouble)
                        .toArray());
                default -> throw new IllegalArgumentException("unknown schedule '" + spec + "' (expected constant, step, "
                        + "multistep, exponential, inverse-time, inverse-sqrt, polynomial, cosine, cosine-restarts or "
                        + "piecewise, optionally +warmup:STEPS)");
            };
            return warm.length > 1 ? Schedules.linearWarmup(s, Long.parseLong(warm[1].trim()), 0) : s;
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("schedule '" + spec + "' is missing or has a malformed value", e);
        }
    }

    private static long[] longs(String csv) {
        return Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }

}
