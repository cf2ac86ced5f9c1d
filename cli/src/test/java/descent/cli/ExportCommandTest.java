package descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.data.Dataset;
import descent.data.Mnist;
import descent.io.SafeTensors;
import descent.onnx.OnnxRuntimeCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./descent export} on a real run folder: a model trained by {@code ./descent train}
 * (per-feature standardization, batch norm, GELU, scale-at-test dropout) gives, run by ONNX
 * Runtime, the logits Descent gives on the run's test images.
 */
class ExportCommandTest {

    @TempDir
    static Path data;

    @TempDir
    static Path run;

    @BeforeAll
    static void trainARun() throws IOException {
        SyntheticMnist.write(data, "train", 400, 1);
        SyntheticMnist.write(data, "t10k", 64, 2);
        MainTest.run(0, "train", "--data-dir", data.toString(), "--out", run.toString(), "--epochs", "1",
                "--hidden", "32,16", "--batch-size", "16", "--threads", "1", "--batchnorm", "--activation", "gelu",
                "--dropout", "0.2", "--dropout-form", "scale-at-test", "--normalize", "per-feature");
    }

    @Test
    void theExportedRunGivesDescentsLogitsInOnnxRuntime() throws Exception {
        Path file = run.resolve("exported.onnx");
        String out = MainTest.run(0, "export", "--model", run.toString(), "--format", "onnx", "--out", file.toString());
        assertTrue(out.contains("input 'input' float32 [N, 1, 28, 28], output 'logits' float32 [N, 10]"), out);
        Dataset test = Mnist.load(data, "mnist").test();
        int n = test.size();
        float[] images = test.batch(0, n).inputs().toFloatArray();
        var saved = ExportCommand.load(RunConfig.read(run.resolve("config.json")),
                SafeTensors.loadTensors(run.resolve("model.safetensors")), run.resolve("model.safetensors"));
        float[] descent = OnnxRuntimeCheck.descent(saved.model(), images, n, 28, 28);
        float[] onnx = OnnxRuntimeCheck.run(Files.readAllBytes(file), images, n, 1, 28, 28);
        double error = OnnxRuntimeCheck.relativeError(onnx, descent);
        System.out.printf(Locale.ROOT, "trained run (per-feature Standardize, BatchNorm1d, GELU, scale-at-test Dropout):"
                + " max relative error %.2e on %d test images%n", error, n);
        assertTrue(error <= 1e-5, "max relative error " + error);
    }

    @Test
    void theFlatLayoutTakesFeatureVectors() throws Exception {
        Path file = run.resolve("flat.onnx");
        String out = MainTest.run(0, "export", "--model", run.toString(), "--out", file.toString(), "--input-layout",
                "flat");
        assertTrue(out.contains("input 'input' float32 [N, 784]"), out);
        float[] x = new float[2 * 784];
        Arrays.fill(x, 0.5f);
        assertEquals(20, OnnxRuntimeCheck.run(Files.readAllBytes(file), x, 2, 784).length);
    }

    @Test
    void theDefaultFileIsInTheRunFolderAndUnknownChoicesAreRefused() {
        MainTest.run(0, "export", "--model", run.toString());
        assertTrue(Files.isRegularFile(run.resolve("model.onnx")));
        assertTrue(MainTest.refusal("export", "--model", run.toString(), "--format", "tflite")
                .contains("--format tflite is not known: onnx is the only export format"));
        assertTrue(MainTest.refusal("export", "--model", run.toString(), "--input-layout", "nhwc")
                .contains("--input-layout must be image or flat"));
        assertTrue(MainTest.refusal("export", "--model", data.toString()).contains("model.safetensors"));
    }
}
