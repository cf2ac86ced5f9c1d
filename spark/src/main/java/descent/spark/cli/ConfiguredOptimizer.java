package descent.spark.cli;

import descent.autograd.Tensor;
import descent.cli.RunConfig;
import descent.optim.Optimizer;
import descent.spark.OptimizerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** The optimizer a run's configuration describes, its schedule spanning {@code totalSteps} local steps. */
record ConfiguredOptimizer(String configJson, long totalSteps) implements OptimizerFactory {

    @Override
    public Optimizer create(Map<String, Tensor> params) {
        try {
            return RunConfig.parse(configJson, "config.json").optimizer(params, totalSteps);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
