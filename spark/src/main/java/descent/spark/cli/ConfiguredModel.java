package descent.spark.cli;

import descent.cli.RunConfig;
import descent.nn.Module;
import descent.spark.ModelFactory;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The model a run's configuration describes, rebuilt from its JSON in any JVM of the cluster. */
record ConfiguredModel(String configJson, int inputs, int classes, float[] mean, float[] std) implements ModelFactory {

    @Override
    public Module create() {
        try {
            return RunConfig.parse(configJson, "config.json").model(inputs, classes, mean, std);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
