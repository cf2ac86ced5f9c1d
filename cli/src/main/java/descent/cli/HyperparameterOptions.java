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

    @Option(names = "--lr") Double lr;
    @Option(names = "--momentum") Double momentum;
    @Option(names = "--dampening") Double dampening;
    @Option(names = "--nesterov") Boolean nesterov;
    @Option(names = "--momentum-form", description = "classic or ema") String momentumForm;
    @Option(names = "--unbias", description = "EMA momentum divided by 1 − βᵗ") Boolean unbias;
    @Option(names = "--beta1") Double beta1;
    @Option(names = "--beta2") Double beta2;
    @Option(names = "--eps") Double eps;
    @Option(names = "--alpha") Double alpha;
    @Option(names = "--centered") Boolean centered;
    @Option(names = "--rho") Double rho;
    @Option(names = "--amsgrad") Boolean amsgrad;
    @Option(names = "--weight-decay") Double weightDecay;
    @Option(names = "--no-bias-correction") Boolean noBiasCorrection;
    @Option(names = "--lr-decay") Double lrDecay;
    @Option(names = "--initial-accumulator-value") Double initialAccumulatorValue;
    @Option(names = "--clip-value") Double clipValue;
    @Option(names = "--schedule", description = "e.g. step:100:0.5, cosine:500, exponential:0.99+warmup:10")
    String schedule;
    @Option(names = "--beta", description = "CG's beta: fr, pr, pr+ or hs") String beta;
    @Option(names = "--restart", description = "CG: restart every N iterations (0: never)") Integer restart;
    @Option(names = "--powell", description = "CG: Powell's restart test (default true)", arity = "1") Boolean powell;
    @Option(names = "--history", description = "L-BFGS: pairs kept") Integer history;
    @Option(names = "--line-search", description = "armijo, strong-wolfe or exact") String lineSearch;
    @Option(names = "--damping", description = "Newton: λ in H + λI (saddle-free: the eigenvalue floor)") Double damping;
    @Option(names = "--order", description = "coordinate-descent: cyclic or random") String order;
    @Option(names = "--max-inner", description = "newton-cg: most CG iterations per step (default 200)") Integer maxInner;

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
