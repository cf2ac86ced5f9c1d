package descent.cli;

import descent.data.Mnist;
import descent.io.SafeTensors;
import descent.nn.Classifier;
import descent.tensor.NdArray;
import descent.train.Evaluation;
import descent.train.LossFunction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Re-evaluates a saved run's model on its data set's test split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a trained model (a run folder written by ./descent train) on the test set.")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Run folder with config.json and "
            + "model.safetensors.")
    Path dir;

    @Mixin
    DataOptions common;

    @Override
    public Integer call() throws IOException {
        common.applyThreads();
        RunConfig c = RunConfig.read(dir.resolve("config.json"));
        Path data = DatasetStore.locate(DatasetStore.source(c.dataset()), common.dataDir, System.err);
        Mnist.Splits splits = Mnist.load(data, c.dataset());
        Path weights = dir.resolve("model.safetensors");
        Map<String, NdArray> state = SafeTensors.loadTensors(weights);
        NdArray mean = state.get("normalize.mean");
        NdArray std = state.get("normalize.std");
        if (mean == null || std == null) {
            throw new IOException(weights + " has no normalize.mean / normalize.std: not a model written by ./descent train");
        }
        Classifier model = c.model(splits.test().featureSize(), splits.test().classes(), mean.toFloatArray(),
                std.toFloatArray());
        model.loadStateDict(state, true);
        Evaluation e = Evaluation.of(model, splits.test(), LossFunction.crossEntropy(), 1000);
        System.out.printf(Locale.ROOT, "%s test set: accuracy %.2f%% (%d of %d), loss %.4f%n", c.dataset(),
                100 * e.accuracy(), Math.round(e.accuracy() * e.examples()), e.examples(), e.loss());
        return 0;
    }
}
