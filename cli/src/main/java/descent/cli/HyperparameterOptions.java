package descent.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The optimizer hyper-parameters as command-line options, shared by every command that builds an
 * optimizer; each maps to the PyTorch name that {@link descent.optim.Optimizers} reads, and only
 * the options given are passed on, so each optimizer keeps its own defaults.
 */
final class HyperparameterOptions {

    // Each method keeps PyTorch's defaults for what is not given, so the defaults below are per method.
    @Option(names = "--lr", description = "Learning rate (default: sgd, momentum, nesterov, nesterov-lookahead and "
            + "rmsprop 0.01; adam, amsgrad, adamw 0.001; adagrad 0.01; adadelta 1.0; Newton's step 1).")
    Double lr;
    @Option(names = "--momentum", description = "Momentum β (default: 0 for sgd and rmsprop; 0.9 for momentum, nesterov "
            + "and nesterov-lookahead).")
    Double momentum;
    @Option(names = "--dampening", description = "sgd: the share of the gradient held back, u ← βu + (1 − dampening)g "
            + "(default: 0).")
    Double dampening;
    @Option(names = "--nesterov", description = "sgd: Nesterov's correction, "
            + "PyTorch's form (default: false; true for nesterov).")
    Boolean nesterov;
    @Option(names = "--momentum-form", description = "classic (u ← βu + g) or ema (u ← βu + (1 − β)g) (default: classic).")
    String momentumForm;
    @Option(names = "--unbias", description = "EMA momentum divided by 1 − βᵗ "
            + "(default: false).")
    Boolean unbias;
    @Option(names = "--beta1", description = "Adam: decay of the first moment (default: 0.9).") Double beta1;
    @Option(names = "--beta2", description = "Adam: decay of the second moment (default: 0.999).") Double beta2;
    @Option(names = "--eps", description = "Added to the denominator (default: adam 1e-8, rmsprop 1e-8, adagrad 1e-10, "
            + "adadelta 1e-6).")
    Double eps;
    @Option(names = "--alpha", description = "RMSprop: decay of the squared gradients' average (default: 0.99).")
    Double alpha;
    @Option(names = "--centered", description = "RMSprop: divide by the "
            + "gradients' variance instead of their second moment (default: false).")
    Boolean centered;
    @Option(names = "--rho", description = "AdaDelta: decay of its running averages (default: 0.9).") Double rho;
    @Option(names = "--amsgrad", description = "Adam: the running maximum of "
            + "the second moment (default: false; true for amsgrad).")
    Boolean amsgrad;
    @Option(names = "--weight-decay", description = "L2 weight decay λ (default: 0; adamw 0.01, decoupled).")
    Double weightDecay;
    @Option(names = "--no-bias-correction", description = "Adam without "
            + "dividing its moments by 1 − βᵗ (default: false).")
    Boolean noBiasCorrection;
    @Option(names = "--lr-decay", description = "AdaGrad's own schedule lr/(1 + t·lr_decay) (default: 0).") Double lrDecay;
    @Option(names = "--initial-accumulator-value", description = "AdaGrad: the squared-gradient sum's start "
            + "(default: 0).")
    Double initialAccumulatorValue;
    @Option(names = "--clip-value", description = "Clip each gradient element to [−c, c] (default: 0, off).")
    Double clipValue;
    @Option(names = "--schedule", description = "Learning-rate schedule, e.g. step:100:0.5, cosine:500, "
            + "exponential:0.99+warmup:10 (default: train and distill cosine over the whole run, trajectory constant).")
    String schedule;
    @Option(names = "--beta", description = "CG's beta: fr, pr, pr+ or hs (default: pr+).") String beta;
    @Option(names = "--restart", description = "CG: restart every N iterations (default: 0, never).") Integer restart;
    @Option(names = "--powell", description = "CG: Powell's restart test (default: true).", arity = "1") Boolean powell;
    @Option(names = "--history", description = "L-BFGS: pairs kept (default: 10).") Integer history;
    @Option(names = "--line-search", description = "armijo, strong-wolfe or exact; for newton and saddle-free-newton "
            + "armijo or none (default: strong-wolfe; exact for coordinate-descent; armijo for Newton).")
    String lineSearch;
    @Option(names = "--damping", description = "Newton: λ in H + λI, for saddle-free the eigenvalue floor (default: "
            + "0.001).")
    Double damping;
    @Option(names = "--order", description = "coordinate-descent: cyclic or random (default: cyclic).") String order;
    @Option(names = "--max-inner", description = "newton-cg: most CG iterations per step (default: 200).") Integer maxInner;

    /** The options given, by PyTorch's hyper-parameter names. */
    Map<String, String> values() {
        Map<String, String> h = new LinkedHashMap<>();
        put(h, "lr", lr);
        put(h, "momentum", momentum);
        put(h, "dampening", dampening);
        put(h, "nesterov", nesterov);
        put(h, "momentum_form", momentumForm);
        put(h, "unbias", unbias);
        put(h, "beta1", beta1);
        put(h, "beta2", beta2);
        put(h, "eps", eps);
        put(h, "alpha", alpha);
        put(h, "centered", centered);
        put(h, "rho", rho);
        put(h, "amsgrad", amsgrad);
        put(h, "weight_decay", weightDecay);
        put(h, "bias_correction", noBiasCorrection == null ? null : !noBiasCorrection);
        put(h, "lr_decay", lrDecay);
        put(h, "initial_accumulator_value", initialAccumulatorValue);
        put(h, "clip_value", clipValue);
        put(h, "schedule", schedule);
        put(h, "beta", beta);
        put(h, "restart", restart);
        put(h, "powell", powell);
        put(h, "history", history);
        put(h, "line_search", lineSearch);
        put(h, "damping", damping);
        put(h, "order", order);
        put(h, "max_inner", maxInner);
        return h;
    }

    private static void put(Map<String, String> h, String key, Object value) {
        if (value != null) {
            h.put(key, value.toString());
        }
    }

}
