package descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

class TrainCommandTest {

    @TempDir
    static Path data;

    @TempDir
    Path dir;

    /** A learnable MNIST-layout folder ({@link SyntheticMnist}). */
    @BeforeAll
    static void writeData() throws IOException {
        SyntheticMnist.write(data, "train", 1200, 1);
        SyntheticMnist.write(data, "t10k", 300, 2);
    }

    private static List<String> args(Path out, int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data-dir", data.toString(), "--out", out.toString(),
                "--epochs", Integer.toString(epochs), "--hidden", "32", "--batch-size", "16", "--threads", "1",
                "--dropout", "0.1", "--augment", "shift=1"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void trainWritesTheRunFolderAndEvaluateAgrees() throws IOException {
        Path run = dir.resolve("run");
        String out = MainTest.run(0, args(run, 3).toArray(String[]::new));
        assertTrue(out.contains("epoch 3/3"), out);
        for (String f : List.of("config.json", "history.csv", "metrics.json", "model.safetensors",
                "checkpoint.safetensors", "report.html", "loss.png", "accuracy.png")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertEquals(4, Files.readAllLines(run.resolve("history.csv")).size());
        String metrics = Files.readString(run.resolve("metrics.json"));
        for (String key : List.of("test_accuracy", "test_loss", "epochs", "train_seconds", "samples_per_second")) {
            assertTrue(metrics.contains("\"" + key + "\""), metrics);
        }
        double accuracy = Double.parseDouble(metrics.replaceAll("(?s).*\"test_accuracy\": ([0-9.]+).*", "$1"));
        assertTrue(accuracy > 0.9, metrics);
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("<img src=\"loss.png\"") && !html.contains("http"), "offline report");
        String eval = MainTest.run(0, "evaluate", "--model", run.toString(), "--data-dir", data.toString());
        assertTrue(eval.contains(String.format(java.util.Locale.ROOT, "accuracy %.2f%%", 100 * accuracy)), eval);
        assertTrue(eval.contains("confusion matrix") && eval.lines().anyMatch(l -> l.matches("\\s+t\\\\p(\\s+\\d){10}")), eval);
        assertTrue(html.contains("Confusion matrix (test set)"), "the report shows the confusion matrix");
        // Another data set of the same shape (here the same synthetic files under Fashion-MNIST's name).
        String other = MainTest.run(0, "evaluate", "--model", run.toString(), "--data-dir", data.toString(),
                "--dataset", "fashion-mnist");
        assertTrue(other.startsWith("fashion-mnist test set: accuracy") || other.contains("\nfashion-mnist test set"), other);
    }

    @Test
    void earlyStoppingAndCurriculumRun() throws IOException {
        Path run = dir.resolve("es");
        MainTest.run(0, args(run, 3, "--early-stopping", "1", "--min-delta", "10", "--curriculum", "linear:0.5:2",
                "--probes", "20").toArray(String[]::new));
        List<String> probes = Files.readAllLines(run.resolve("probes.csv"));
        assertEquals(descent.diagnostics.Probes.CSV_HEADER, probes.getFirst());
        assertTrue(probes.stream().anyMatch(l -> l.startsWith("1,body.layers.0,activation,")), String.join("\n", probes));
        assertTrue(probes.stream().anyMatch(l -> l.startsWith("21,")), "step 21 is sampled too");
        assertTrue(Files.size(run.resolve("probes.png")) > 0);
        assertTrue(Files.readString(run.resolve("report.html")).contains("Inside the network"));
        String metrics = Files.readString(run.resolve("metrics.json"));
        assertTrue(metrics.contains("early stopping") && metrics.contains("\"best_epoch\": 1"), metrics);
    }

    /**
     * Tiny weights (std 0.001) make every layer's output nearly vanish; --init-from-data brings each Linear
     * layer's output to unit std on its batch before training, is recorded in config.json, and is not
     * applied again when the finished run is resumed (its weights come from the checkpoint).
     */
    @Test
    void initFromDataRescalesTheLayersBeforeTrainingAndResumeKeepsTheWeights() throws IOException {
        Path run = dir.resolve("lsuv");
        String out = MainTest.run(0, args(run, 1, "--init", "normal-std:0.001", "--init-from-data",
                "64").toArray(String[]::new));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("body\\.layers\\.(\\d) ([0-9.e+-]+) -> ([0-9.e+-]+)")
                .matcher(out);
        List<String> layers = new ArrayList<>();
        while (m.find()) {
            layers.add(m.group(1));
            assertEquals(1, Double.parseDouble(m.group(3)), 0.05, out);
            assertTrue(Double.parseDouble(m.group(2)) < (m.group(1).equals("0") ? 0.1 : 1e-3), out);
        }
        assertEquals(List.of("0", "3"), layers, out); // Linear, ReLU, Dropout, Linear
        String config = Files.readString(run.resolve("config.json"));
        assertTrue(config.contains("\"init\": \"normal-std:0.001\",\n  \"init_from_data\": 64,"), config);
        assertEquals(64, RunConfig.read(run.resolve("config.json")).initFromData());
        double accuracy = Double.parseDouble(Files.readString(run.resolve("metrics.json"))
                .replaceAll("(?s).*\"test_accuracy\": ([0-9.]+).*", "$1"));
        assertTrue(accuracy > 0.8, "it trains: " + accuracy);
        Map<String, NdArray> trained = SafeTensors.loadTensors(run.resolve("model.safetensors"));
        String resumed = MainTest.run(0, "train", "--resume", run.toString(), "--data-dir", data.toString());
        assertTrue(resumed.contains("resuming") && !resumed.contains("init from data"), resumed);
        Map<String, NdArray> again = SafeTensors.loadTensors(run.resolve("model.safetensors"));
        trained.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), again.get(k).toDoubleArray(), 0, k));
        Path plain = dir.resolve("plain");
        MainTest.run(0, args(plain, 1).toArray(String[]::new));
        assertTrue(!Files.readString(plain.resolve("config.json")).contains("init_from_data"), "written only when used");
        assertEquals(2, Main.run(args(dir.resolve("zero"), 1, "--init-from-data", "0").toArray(String[]::new)));
        assertTrue(MainTest.run(0, "train", "--help").contains("--init-from-data"));
    }

    @Test
    void accumulationTakesOneStepPerKMinibatchesAndResumes() throws IOException {
        Path run = dir.resolve("acc");
        String out = MainTest.run(0, args(run, 2, "--accumulate", "3", "--optimizer", "momentum", "--clip-grad-norm", "5")
                .toArray(String[]::new));
        assertTrue(out.contains("one step per 3 minibatches (effective batch 48)"), out);
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"accumulate\": 3"));
        // 1200 examples in batches of 16: 75 minibatches an epoch, 50 steps in two epochs (the 150th minibatch ends a window).
        Map<String, NdArray> ckpt = SafeTensors.loadTensors(run.resolve(TrainCommand.CHECKPOINT));
        assertEquals(50, ckpt.get("optimizer/#steps").item());
        assertEquals(0, ckpt.get("optimizer/#global.0/count").item());
        assertEquals(2, Main.run("train", "--data-dir", data.toString(), "--out", dir.resolve("bad").toString(),
                "--accumulate", "0"));
    }

    @Test
    void adagradsOwnDecayWorksAndOptionsWithoutEffectAreRefused() throws IOException {
        Path run = dir.resolve("adagrad");
        MainTest.run(0, args(run, 1, "--optimizer", "adagrad", "--lr-decay", "0.01").toArray(String[]::new));
        String config = Files.readString(run.resolve("config.json"));
        assertTrue(config.contains("\"lr_decay\": \"0.01\"") && !config.contains("schedule"), config);
        assertEquals(2, Main.run(args(dir.resolve("x"), 1, "--optimizer", "adagrad", "--lr-decay", "0.01", "--schedule",
                "constant").toArray(String[]::new)));
        assertEquals(2, Main.run(args(dir.resolve("y"), 1, "--min-delta", "0.01").toArray(String[]::new)));
        assertEquals(2, Main.run(args(dir.resolve("z"), 1, "--batchnorm-momentum", "0.5").toArray(String[]::new)));
        Path keras = dir.resolve("keras");
        MainTest.run(0, args(keras, 1, "--batchnorm", "--batchnorm-convention", "keras", "--batchnorm-momentum", "0.9")
                .toArray(String[]::new));
        assertTrue(Files.readString(keras.resolve("config.json")).contains("\"batchnorm_convention\": \"keras\""));
        assertTrue(MainTest.run(0, "train", "--help").contains("normal-std:S (standard deviation S)"));
    }

    @Test
    void fullBatchMethodsAreRefusedWithWhereTheyRun() {
        PrintStream err = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, Main.run("train", "--data-dir", data.toString(), "--out", dir.resolve("lbfgs").toString(),
                    "--optimizer", "lbfgs"));
        } finally {
            System.setErr(err);
        }
        String message = buffer.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("lbfgs needs full-batch closures: try ./descent trajectory"), message);
    }

    @Test
    void badDataIsReportedWithWhatToRun() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(2, Main.run("train", "--data-dir", empty.toString(), "--out", dir.resolve("x").toString()));
        Path broken = Files.createDirectories(dir.resolve("broken"));
        for (String f : descent.data.Mnist.FILES) {
            Files.copy(data.resolve(f), broken.resolve(f));
        }
        byte[] images = Files.readAllBytes(broken.resolve("t10k-images-idx3-ubyte"));
        Files.write(broken.resolve("t10k-images-idx3-ubyte"), java.util.Arrays.copyOf(images, 5000));
        assertEquals(2, Main.run("train", "--data-dir", broken.toString(), "--out", dir.resolve("y").toString()));
        assertEquals(2, Main.run("train", "--resume", dir.resolve("y").toString(), "--epochs", "3"));
    }

    /**
     * Kills a real training process (SIGKILL) after its first checkpoint, resumes the run from its
     * folder, and compares every weight with an uninterrupted run's.
     */
    @Test
    void killedRunResumesToTheSameWeights() throws Exception {
        int epochs = 12;
        Path whole = dir.resolve("whole");
        MainTest.run(0, args(whole, epochs).toArray(String[]::new));

        Path killed = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true", "-cp",
                System.getProperty("java.class.path"), "descent.cli.Main"));
        cmd.addAll(args(killed, epochs));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        Path ckpt = killed.resolve(TrainCommand.CHECKPOINT);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(ckpt) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(30); // into the next epoch
        p.destroyForcibly().waitFor();
        assertTrue(Files.exists(ckpt), Files.readString(dir.resolve("log")));
        assertTrue(!Files.exists(killed.resolve("metrics.json")), "killed before the end");

        String out = MainTest.run(0, "train", "--resume", killed.toString(), "--data-dir", data.toString());
        assertTrue(out.contains("resuming"), out);
        Map<String, NdArray> a = SafeTensors.loadTensors(whole.resolve("model.safetensors"));
        Map<String, NdArray> b = SafeTensors.loadTensors(killed.resolve("model.safetensors"));
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), b.get(k).toDoubleArray(), 0, k));
        assertEquals(Files.readString(whole.resolve("history.csv")).lines().map(TrainCommandTest::withoutTimes).toList(),
                Files.readString(killed.resolve("history.csv")).lines().map(TrainCommandTest::withoutTimes).toList());
    }

    /** A history row without its wall-clock columns (seconds, samples/s). */
    private static String withoutTimes(String row) {
        String[] f = row.split(",");
        return String.join(",", java.util.Arrays.copyOf(f, f.length - 2));
    }
}
