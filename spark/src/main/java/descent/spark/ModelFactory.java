package descent.spark;

import descent.nn.Module;
import java.io.Serializable;

/**
 * Builds the model in any JVM of the cluster: the same architecture every time (its weights are
 * then loaded from the driver's). A lambda cast to this type is serializable when what it captures is.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {

    Module create();
}
