package descent.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import picocli.CommandLine;

/**
 * A run folder's config.json as {@code evaluate} and {@code train --resume} read it: RunConfig.read
 * gives settings that build the run's parts (model, optimizer, averaging, heads, pretraining), or
 * an IOException naming the file, never another exception.
 */
class RunConfigFuzzTest {

    /** The system property that names the test resources folder a seed generator writes into. */
    static final String SEEDS = "fuzz.seeds";

    private static Path scratch;

    @FuzzTest
    void parse(byte[] data) throws IOException {
        Path file = scratch().resolve("config.json");
        Files.write(file, data);
        RunConfig c;
        try {
            c = RunConfig.read(file);
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains(file.toString())) {
                throw new AssertionError("the error does not name " + file + ": " + e, e);
            }
            return;
        }
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w", Tensor.param(NdArray.zeros(DType.FLOAT32, 2, 2)));
        params.put("b", Tensor.param(NdArray.zeros(DType.FLOAT32, 2)));
        if (OptimizerNames.FULL_BATCH_TRAINING.contains(c.optimizer())) {
            OptimizerNames.minimizer(c.optimizer(), new Hyperparameters(c.hyperparameters()), params);
        } else {
            c.optimizer(params, 100);
        }
        c.averaging();
        c.pretraining();
        c.auxiliaryHeads();
        c.frozen();
        c.batchNormRunningStatistics();
        c.dropoutFormValue();
        long weights = 0;
        int previous = 4;
        for (int h : c.hidden()) {
            weights += (long) previous * h;
            previous = h;
        }
        if (weights <= 1_000_000) {
            c.model(4, 3, new float[4], new float[] {1, 1, 1, 1});
        }
    }

    private static Path scratch() {
        if (scratch == null) {
            try {
                Path shm = Path.of("/dev/shm"); // in memory where the system has it: a disk file would be slow
                scratch = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "descent-fuzz")
                        : Files.createTempDirectory("descent-fuzz");
                scratch.toFile().deleteOnExit();
                scratch.resolve("config.json").toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return scratch;
    }

    /** The seed corpus: config.json as train writes it, for plain and for many-featured runs. */
    @Test
    @EnabledIfSystemProperty(named = SEEDS, matches = ".+")
    void writeSeeds() throws IOException {
        Path dir = seedFolder(RunConfigFuzzTest.class, "parse");
        Files.writeString(dir.resolve("seed-plain"), config().toJson());
        Files.writeString(dir.resolve("seed-features"), config("--hidden", "8,4", "--batchnorm", "--dropout", "0.1",
                "--optimizer", "adam", "--lr", "0.01", "--schedule", "cosine:100", "--augment", "shift=1",
                "--average", "polyak", "--aux-heads", "1", "--clip-grad-norm", "1").toJson());
        Files.writeString(dir.resolve("seed-pretrain"), config("--hidden", "8,4", "--pretrain", "greedy:2:joint",
                "--optimizer", "sgd", "--momentum", "0.9").toJson());
        Files.writeString(dir.resolve("seed-curriculum"), config("--curriculum", "linear:0.2:2", "--optimizer", "rmsprop")
                .toJson());
    }

    /** The config train writes for these options. */
    private static RunConfig config(String... args) {
        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs(args);
        return command.options.config(command.common);
    }

    static Path seedFolder(Class<?> test, String method) throws IOException {
        Path root = Path.of(System.getProperty(SEEDS));
        return Files.createDirectories(root.resolve(test.getPackageName().replace('.', '/'))
                .resolve(test.getSimpleName() + "Inputs").resolve(method));
    }
}
