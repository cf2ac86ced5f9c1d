package descent.cli;

import descent.data.Mnist;
import descent.io.SafeTensors;
import descent.nn.Classifier;
import descent.nn.StateDictException;
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

    @Option(names = "--dataset", description = "Evaluate on this data set's test split (mnist or fashion-mnist) "
            + "instead of the run's own; its examples must have the shape the model was trained on (default: the run's).")
    String dataset;

    @Mixin
    DataOptions common;

    @Override
    public Integer call() throws IOException {
        common.applyThreads();
        RunConfig c = RunConfig.read(dir.resolve("config.json"));
        String name = dataset != null ? DatasetStore.source(dataset).name() : c.dataset();
        Path data = DatasetStore.locate(DatasetStore.source(name), common.dataDir, System.err);
        Mnist.Splits splits = Mnist.load(data, name);
        Path weights = dir.resolve("model.safetensors");
        Map<String, NdArray> state = SafeTensors.loadTensors(weights);
        NdArray mean = state.get("normalize.mean");
        NdArray std = state.get("normalize.std");
        if (mean == null || std == null) {
            throw new IOException(weights + " has no normalize.mean / normalize.std: not a model written by ./descent train");
        }
        Classifier model = c.model(splits.test().featureSize(), splits.test().classes(), mean.toFloatArray(),
                std.toFloatArray());
        try {
            model.loadStateDict(state, true);
        } catch (StateDictException ex) {
            throw new IllegalArgumentException("the model in " + weights + " does not fit " + name + "'s examples ("
                    + splits.test().featureSize() + " features, " + splits.test().classes() + " classes): "
                    + ex.getMessage());
        }
        Evaluation e = Evaluation.of(model, splits.test(), LossFunction.crossEntropy(), 1000);
        System.out.printf(Locale.ROOT, "%s test set: accuracy %.2f%% (%d of %d), loss %.4f%n", name,
                100 * e.accuracy(), Math.round(e.accuracy() * e.examples()), e.examples(), e.loss());
        System.out.println("confusion matrix (rows: true class t, columns: predicted class p):");
        System.out.println(e.confusionTable());
        return 0;
    }
}
