package descent.spark;

import descent.autograd.Tensor;
import descent.optim.Optimizer;
import java.io.Serializable;
import java.util.Map;

/**
 * Builds the optimizer over a model's parameters in any JVM of the cluster, for example
 * {@code (OptimizerFactory) p -> Optimizers.adam(1e-3).over(p)}; its state is then loaded from the
 * driver's average.
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {

    Optimizer create(Map<String, Tensor> params);
}
