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
    void nesterovLookaheadTrainsAndResumesBitExactly() throws IOException {
        String[] method = {"--optimizer", "nesterov-lookahead", "--lr", "0.01", "--momentum", "0.9",
            "--schedule", "step:40:0.5+warmup:10", "--weight-decay", "1e-4", "--clip-value", "1", "--accumulate", "2",
            "--clip-grad-norm", "5"};
        Path whole = dir.resolve("nag");
        String out = MainTest.run(0, args(whole, 2, method).toArray(String[]::new));
        assertTrue(out.contains("nesterov-lookahead"), out);
        String metrics = Files.readString(whole.resolve("metrics.json"));
        assertTrue(Double.parseDouble(metrics.replaceAll("(?s).*\"test_accuracy\": ([0-9.]+).*", "$1")) > 0.8, metrics);
        // The same run stopped after its first epoch's checkpoint (its schedule does not depend on the length), resumed.
        Path half = dir.resolve("nag-half");
        MainTest.run(0, args(half, 1, method).toArray(String[]::new));
        Path config = half.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"epochs\": 1,", "\"epochs\": 2,"));
        MainTest.run(0, "train", "--resume", half.toString(), "--data-dir", data.toString());
        Map<String, NdArray> a = SafeTensors.loadTensors(whole.resolve("model.safetensors"));
        Map<String, NdArray> b = SafeTensors.loadTensors(half.resolve("model.safetensors"));
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), b.get(k).toDoubleArray(), 0, k));
        String ema = MainTest.run(0, args(dir.resolve("nag-ema"), 1, "--optimizer", "nesterov-lookahead", "--momentum-form",
                "ema", "--lr", "0.1", "--limit", "200").toArray(String[]::new));
        assertTrue(ema.contains("momentum_form=ema"), ema);
    }

    @Test
    void nesterovLookaheadRefusesWhatItDoesNotTake() {
        PrintStream err = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            for (String[] bad : new String[][] {{"--nesterov"}, {"--dampening", "0.1"}, {"--unbias"}, {"--beta1", "0.9"},
                {"--momentum", "1"}}) {
                List<String> a = args(dir.resolve("bad"), 1, "--optimizer", "nesterov-lookahead");
                a.addAll(List.of(bad));
                assertEquals(2, Main.run(a.toArray(String[]::new)), String.join(" ", bad));
            }
        } finally {
            System.setErr(err);
        }
        String message = buffer.toString(StandardCharsets.UTF_8);
        for (String why : List.of("nesterov-lookahead is Nesterov's method already", "takes no dampening",
                "has no unbiased form", "nesterov-lookahead does not take beta1", "momentum must be in [0, 1)")) {
            assertTrue(message.contains(why), why + " in " + message);
        }
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
