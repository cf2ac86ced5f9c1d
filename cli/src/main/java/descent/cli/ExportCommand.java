package descent.cli;

import descent.io.SafeTensors;
import descent.nn.Classifier;
import descent.nn.StateDictException;
import descent.onnx.OnnxExport;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a saved run's model as an ONNX file for other runtimes: input {@code input} float32
 * [N, 1, 28, 28] (or [N, 784] with {@code --input-layout flat}) of raw pixel values in [0, 1],
 * output {@code logits} float32 [N, classes].
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a trained model (a run folder written by ./descent train) for other runtimes.",
                "ONNX: opset " + OnnxExport.OPSET + ", float32, input 'input' [N, 1, 28, 28] (raw pixels in [0, 1], as "
                        + "the data set gives them; the model standardizes them itself), output 'logits' [N, classes]; "
                        + "N is dynamic."})
final class ExportCommand implements Callable<Integer> {

    /** Matches the Mlp's Linear weights in a run's state dict, {@code body.layers.K.weight}. */
    private static final Pattern LAYER_WEIGHT = Pattern.compile("body\\.layers\\.(\\d+)\\.weight");

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Run folder with config.json and "
            + "model.safetensors.")
    Path dir;

    @Option(names = "--format", defaultValue = "onnx", description = "File format: onnx (the only one; "
            + "default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the file (default: model.onnx in the "
            + "run folder).")
    Path out;

    @Option(names = "--input-layout", defaultValue = "image", paramLabel = "LAYOUT", description = "The input's shape: "
            + "image, [N, 1, H, W] (channels, height, width), or flat, [N, H·W] (default: ${DEFAULT-VALUE}).")
    String inputLayout;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("onnx")) {
            throw new IllegalArgumentException("--format " + format + " is not known: onnx is the only export format");
        }
        Path weights = dir.resolve("model.safetensors");
        Map<String, NdArray> state = SafeTensors.loadTensors(weights);
        Saved saved = load(RunConfig.read(dir.resolve("config.json")), state, weights);
        int features = saved.features();
        int[] example = switch (inputLayout) {
            case "image" -> {
                int side = (int) Math.round(Math.sqrt(features));
                if (side * side != features) {
                    throw new IllegalArgumentException("--input-layout image needs square images, but the model takes "
                            + features + " features: use --input-layout flat");
                }
                yield new int[] {1, side, side};
            }
            case "flat" -> new int[] {features};
            default -> throw new IllegalArgumentException("--input-layout must be image or flat, got " + inputLayout);
        };
        Path file = out != null ? out : dir.resolve("model.onnx");
        OnnxExport.write(saved.model(), example, file);
        System.out.printf("wrote %s: ONNX opset %d, input '%s' float32 [N, %s], output '%s' float32 [N, %d]%n", file,
                OnnxExport.OPSET, OnnxExport.INPUT, String.join(", ", Arrays.stream(example).mapToObj(Integer::toString)
                        .toList()), OnnxExport.OUTPUT, saved.classes());
        return 0;
    }

    /** A run's model with its weights loaded, taking {@code features} inputs to {@code classes} logits. */
    record Saved(Classifier model, int features, int classes) {}

    /**
     * The run's model with its saved weights. Its sizes come from the weights themselves (the first
     * and last Linear layers), so no data set is needed.
     */
    static Saved load(RunConfig c, Map<String, NdArray> state, Path weights) throws IOException {
        NdArray mean = state.get("normalize.mean");
        NdArray std = state.get("normalize.std");
        NdArray first = state.get("body.layers.0.weight");
        if (mean == null || std == null || first == null || first.rank() != 2) {
            throw new IOException(weights + " has no normalize.mean / normalize.std / body.layers.0.weight: not a model "
                    + "written by ./descent train");
        }
        int last = -1;
        for (String name : state.keySet()) {
            Matcher m = LAYER_WEIGHT.matcher(name);
            if (m.matches() && state.get(name).rank() == 2) {
                last = Math.max(last, Integer.parseInt(m.group(1)));
            }
        }
        int classes = state.get("body.layers." + last + ".weight").dim(0);
        Classifier model = c.model(first.dim(1), classes, mean.toFloatArray(), std.toFloatArray());
        try {
            model.loadStateDict(state, true);
        } catch (StateDictException ex) {
            throw new IllegalArgumentException("the model in " + weights + " does not match its config.json: "
                    + ex.getMessage());
        }
        return new Saved(model, first.dim(1), classes);
    }
}
