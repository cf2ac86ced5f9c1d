package descent.spark.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.cli.Main;
import descent.cli.SyntheticMnist;
import descent.io.SafeTensors;
import descent.tensor.NdArray;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./descent spark train} on an in-process local[2] Spark: the run folder, refusals, and a killed driver. */
class SparkTrainCommandTest {

    @TempDir
    static Path data;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeData() throws IOException {
        SyntheticMnist.write(data, "train", 1200, 1);
        SyntheticMnist.write(data, "t10k", 300, 2);
    }

    private static List<String> args(Path out, int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data-dir", data.toString(), "--out", out.toString(),
                "--epochs", Integer.toString(epochs), "--hidden", "32", "--batch-size", "16", "--sync-every", "2",
                "--augment", "shift=1"));
        a.addAll(List.of(more));
        return a;
    }

    /** Runs the spark command line in this JVM; returns standard output and error together. */
    static String run(int expectedCode, List<String> args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        try {
            assertEquals(expectedCode, Main.execute(new SparkMain(), args.toArray(String[]::new)),
                    () -> buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void trainWritesTrainsRunFolderAndTheClustersShape() throws IOException {
        Path run = dir.resolve("run");
        String out = run(0, args(run, 2));
        assertTrue(out.contains("epoch  2/2"), out);
        for (String f : List.of("config.json", "history.csv", "metrics.json", "model.safetensors", "checkpoint.safetensors",
                "report.html", "loss.png", "spark.json")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        String spark = Files.readString(run.resolve("spark.json"));
        assertTrue(spark.contains("\"application_id\": \"local-") && spark.contains("\"partitions\": 2")
                && spark.contains("\"sync_every\": 2"), spark);
        String metrics = Files.readString(run.resolve("metrics.json"));
        double accuracy = Double.parseDouble(metrics.replaceAll("(?s).*\"test_accuracy\": ([0-9.]+).*", "$1"));
        assertTrue(accuracy > 0.9, metrics);
    }

    @Test
    void optionsTheClusterCannotHonourAreRefusedWithWhatToUse() {
        assertTrue(run(2, args(dir.resolve("a"), 1, "--accumulate", "2")).contains("use --sync-every K"));
        assertTrue(run(2, args(dir.resolve("b"), 1, "--optimizer", "newton")).contains("newton is for small problems"));
        assertTrue(run(2, args(dir.resolve("c"), 1, "--optimizer", "lbfgs")).contains("--batch-size has no place in it"));
        assertTrue(run(2, args(dir.resolve("d"), 1, "--early-stopping", "2")).contains("no validation set"));
        assertTrue(run(2, args(dir.resolve("e"), 1, "--probes", "10")).contains("use ./descent train --probes"));
        assertTrue(run(2, args(dir.resolve("e"), 1, "--average", "ema:0.99")).contains("use ./descent train --average"));
        assertTrue(run(2, args(dir.resolve("g"), 1, "--init-from-data")).contains("use ./descent train --init-from-data"));
        assertTrue(run(2, args(dir.resolve("h"), 1, "--on-nonfinite", "rollback"))
                .contains("use ./descent train --on-nonfinite"));
        assertTrue(run(2, List.of("train", "--data-dir", data.toString(), "--out", dir.resolve("f").toString(),
                "--optimizer", "lbfgs", "--batch-size", "64")).contains("--batch-size has no place in it"));
        assertTrue(run(2, List.of("train", "--data-dir", data.toString(), "--out", dir.resolve("g").toString(),
                "--optimizer", "lbfgs", "--sync-every", "2")).contains("--sync-every has no effect"));
    }

    @Test
    void lbfgsTrainsFullBatchOnTheCluster() throws IOException {
        Path run = dir.resolve("lbfgs");
        String out = run(0, List.of("train", "--data-dir", data.toString(), "--out", run.toString(), "--epochs", "4",
                "--hidden", "16", "--optimizer", "lbfgs", "--history", "5"));
        assertTrue(out.contains("one full-batch iteration per epoch") && out.contains("epoch  4/4"), out);
        assertEquals(5, Files.readAllLines(run.resolve("history.csv")).size());
        String metrics = Files.readString(run.resolve("metrics.json"));
        double accuracy = Double.parseDouble(metrics.replaceAll("(?s).*\"test_accuracy\": ([0-9.]+).*", "$1"));
        assertTrue(accuracy > 0.5, metrics);
    }

    /** Kills a training driver (a process of its own) after a checkpoint, resumes it, and compares every weight. */
    @Test
    void aKilledDriverResumesToTheSameWeights() throws Exception {
        int epochs = 4;
        Path whole = dir.resolve("whole");
        run(0, args(whole, epochs));

        Path killed = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true", "-cp",
                System.getProperty("java.class.path"), SparkMain.class.getName()));
        cmd.addAll(args(killed, epochs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        Path history = killed.resolve("history.csv");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(history) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5); // until epoch 1 is done: later rounds' checkpoints follow
        }
        Thread.sleep(100);
        p.destroyForcibly().waitFor();
        assertTrue(Files.exists(killed.resolve(SparkTrainCommand.CHECKPOINT)), Files.readString(dir.resolve("log")));
        assertTrue(!Files.exists(killed.resolve("metrics.json")), "killed before the end");

        String out = run(0, List.of("train", "--resume", killed.toString(), "--data-dir", data.toString()));
        assertTrue(out.contains("resuming"), out);
        Map<String, NdArray> a = SafeTensors.loadTensors(whole.resolve("model.safetensors"));
        Map<String, NdArray> b = SafeTensors.loadTensors(killed.resolve("model.safetensors"));
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), b.get(k).toDoubleArray(), 0, k));
    }
}
