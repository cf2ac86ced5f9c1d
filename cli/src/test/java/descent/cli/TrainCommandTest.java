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

    /** For scripts: --json prints only JSON lines on stdout, an object per epoch and the result; --quiet only the summary. */
    @Test
    void jsonAndQuietOutputForScripts() throws IOException {
        Path run = dir.resolve("json");
        List<String> lines = MainTest.run(0, args(run, 2, "--json").toArray(String[]::new)).lines().toList();
        assertEquals(3, lines.size(), String.join("\n", lines));
        for (int e = 0; e < 2; e++) {
            Map<?, ?> epoch = (Map<?, ?>) descent.io.Json.read(lines.get(e), "line " + e);
            assertEquals(e + 1, ((Number) epoch.get("epoch")).intValue());
            assertTrue(((Number) epoch.get("train_loss")).doubleValue() > 0 && epoch.get("val_loss") == null, lines.get(e));
        }
        Map<?, ?> done = (Map<?, ?>) descent.io.Json.read(lines.get(2), "result");
        assertEquals(true, done.get("done"));
        assertEquals(run.toString(), done.get("run"));
        String metrics = Files.readString(run.resolve("metrics.json"));
        assertEquals(Double.parseDouble(metrics.replaceAll("(?s).*\"test_accuracy\": ([0-9.]+).*", "$1")),
                ((Number) done.get("test_accuracy")).doubleValue(), 1e-12);
        List<String> quiet = MainTest.run(0, args(dir.resolve("quiet"), 1, "--quiet").toArray(String[]::new)).lines()
                .toList();
        assertEquals(1, quiet.size(), String.join("\n", quiet));
        assertTrue(quiet.getFirst().startsWith("test accuracy "), quiet.getFirst());
        assertTrue(MainTest.refusal(args(dir.resolve("both"), 1, "--quiet", "--json").toArray(String[]::new))
                .contains("give one of them"));
    }

    @Test
    void earlyStoppingAndCurriculumRun() throws IOException {
        Path run = dir.resolve("es");
        // Stopped by early stopping: exit code 3.
        MainTest.run(3, args(run, 3, "--early-stopping", "1", "--min-delta", "10", "--curriculum", "linear:0.5:2",
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
    void averagedRunSavesAndReportsTheAveragedModel() throws IOException {
        Path run = dir.resolve("ema");
        String out = MainTest.run(0, args(run, 2, "--average", "ema:0.99", "--batchnorm").toArray(String[]::new));
        assertTrue(out.contains("iterate averaging ema:0.99") && out.contains("│ averaged test loss"), out);
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"average\": \"ema:0.99\""));
        List<String> history = Files.readAllLines(run.resolve("history.csv"));
        assertTrue(history.getFirst().endsWith(",averaged_weights") && history.get(2).endsWith(",true"), history.toString());
        // model.safetensors holds the average kept in the checkpoint, not the trained weights beside it.
        Map<String, NdArray> model = SafeTensors.loadTensors(run.resolve("model.safetensors"));
        Map<String, NdArray> ckpt = SafeTensors.loadTensors(run.resolve(TrainCommand.CHECKPOINT));
        for (String name : List.of("body.layers.0.weight", "body.layers.1.running_mean")) {
            assertArrayEquals(ckpt.get("averaging/" + name).toDoubleArray(), model.get(name).toDoubleArray(), 0, name);
            assertTrue(!java.util.Arrays.equals(ckpt.get("model/" + name).toDoubleArray(), model.get(name).toDoubleArray()),
                    name + " is not the trained value");
        }
        String metrics = Files.readString(run.resolve("metrics.json"));
        assertTrue(metrics.contains("\"average\": \"ema:0.99\""), metrics);
        double accuracy = Double.parseDouble(metrics.replaceAll("(?s).*\"test_accuracy\": ([0-9.]+).*", "$1"));
        assertEquals(accuracy, descent.train.EpochMetrics.parseCsv(history.getLast()).testAccuracy(), 0,
                "the last epoch was measured with the weights saved");
        String eval = MainTest.run(0, "evaluate", "--model", run.toString(), "--data-dir", data.toString());
        assertTrue(eval.contains(String.format(java.util.Locale.ROOT, "accuracy %.2f%% (%d of 300)", 100 * accuracy,
                Math.round(accuracy * 300))), eval);
        assertTrue(Files.readString(run.resolve("report.html")).contains("Iterate averaging ema:0.99"));
    }

    @Test
    void badAveragingSpecsAreRefusedWithTheForm() {
        for (String bad : List.of("ema:1", "ema", "polyak:-3", "swa")) {
            String message = MainTest.refusal("train", "--data-dir", data.toString(), "--out", dir.resolve("x").toString(),
                    "--average", bad);
            assertTrue(message.contains("--average " + bad) && message.contains("polyak[:START]")
                    && message.contains("ema:DECAY"), message);
        }
        // 1200 examples in batches of 16, one epoch: 75 steps.
        String late = MainTest.refusal("train", "--data-dir", data.toString(), "--out", dir.resolve("x").toString(),
                "--batch-size", "16", "--epochs", "1", "--average", "polyak:75");
        assertTrue(late.contains("nothing would be averaged; give a START below 75"), late);
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

    /**
     * A run with the lecture's dropout and the notes' batch-norm EMA saves both in config.json, and
     * evaluate rebuilds the model with them: the same weights evaluated as inverted dropout give
     * another loss.
     */
    @Test
    void scaleAtTestDropoutAndTheNotesBatchNormAreSavedAndEvaluateUsesThem() throws IOException {
        Path run = dir.resolve("lecture");
        String out = MainTest.run(0, args(run, 1, "--dropout-form", "scale-at-test", "--batchnorm",
                "--batchnorm-convention", "notes").toArray(String[]::new));
        assertTrue(out.contains("dropout 0.1 scale-at-test"), out);
        String config = Files.readString(run.resolve("config.json"));
        assertTrue(config.contains("\"dropout_form\": \"scale-at-test\"") && config.contains("\"batchnorm_convention\": \"notes\""),
                config);
        assertEquals(descent.nn.Dropout.Form.SCALE_AT_TEST, RunConfig.parse(config, "test").dropoutFormValue());
        assertEquals(descent.nn.BatchNorm1d.Momentum.notes(0.1), RunConfig.parse(config, "test").batchNormRunningStatistics());
        double loss = Double.parseDouble(Files.readString(run.resolve("metrics.json"))
                .replaceAll("(?s).*\"test_loss\": ([0-9.]+).*", "$1"));
        String eval = MainTest.run(0, "evaluate", "--model", run.toString(), "--data-dir", data.toString());
        assertTrue(eval.contains(String.format(java.util.Locale.ROOT, "loss %.4f", loss)), eval + " vs " + loss);

        Path asInverted = Files.createDirectories(dir.resolve("as-inverted"));
        Files.copy(run.resolve("model.safetensors"), asInverted.resolve("model.safetensors"));
        Files.writeString(asInverted.resolve("config.json"), config.replace("\"dropout_form\": \"scale-at-test\",", ""));
        String other = MainTest.run(0, "evaluate", "--model", asInverted.toString(), "--data-dir", data.toString());
        assertTrue(!other.contains(String.format(java.util.Locale.ROOT, "loss %.4f", loss)), other);

        assertTrue(MainTest.refusal("train", "--data-dir", data.toString(), "--out", dir.resolve("a").toString(),
                "--dropout-form", "scale-at-test").contains("--dropout-form says where dropout's 1/(1 - p) correction "
                + "goes: give --dropout P too"));
        assertTrue(MainTest.refusal(args(dir.resolve("b"), 1, "--dropout-form", "lecture").toArray(String[]::new))
                .contains("--dropout-form must be inverted or scale-at-test, got lecture"));
        assertTrue(MainTest.refusal(args(dir.resolve("c"), 1, "--batchnorm-convention", "notes").toArray(String[]::new))
                .contains("give --batchnorm too"));
        assertTrue(MainTest.refusal(args(dir.resolve("d"), 1, "--batchnorm", "--batchnorm-convention", "notes",
                "--batchnorm-momentum", "1.5").toArray(String[]::new)).contains("momentum weight must be in [0, 1], got 1.5"));
        assertTrue(MainTest.refusal(args(dir.resolve("e"), 1, "--batchnorm", "--batchnorm-convention", "piastra")
                .toArray(String[]::new)).contains("must be pytorch, keras, cumulative or notes, got piastra"));
    }

    private static List<String> fullBatch(Path out, int iterations, String method, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data-dir", data.toString(), "--out", out.toString(),
                "--epochs", Integer.toString(iterations), "--hidden", "16", "--threads", "1", "--optimizer", method));
        a.addAll(List.of(more));
        return a;
    }

    /** A full-batch method trains through the same run folder, one iteration per epoch, and resumes bit-exactly. */
    @Test
    void fullBatchMethodsTrainOnTheWholeTrainingSetAndResume() throws IOException {
        Path straight = dir.resolve("lbfgs");
        String out = MainTest.run(0, fullBatch(straight, 4, "lbfgs", "--history", "5").toArray(String[]::new));
        assertTrue(out.contains("lbfgs history=5 on the whole training set") && out.contains("iteration   4/4"), out);
        List<String> history = Files.readAllLines(straight.resolve("history.csv"));
        assertEquals(5, history.size());
        String metrics = Files.readString(straight.resolve("metrics.json"));
        double accuracy = Double.parseDouble(metrics.replaceAll("(?s).*\"test_accuracy\": ([0-9.]+).*", "$1"));
        assertTrue(accuracy > 0.9, metrics);
        String eval = MainTest.run(0, "evaluate", "--model", straight.toString(), "--data-dir", data.toString());
        assertTrue(eval.contains(String.format(java.util.Locale.ROOT, "accuracy %.2f%%", 100 * accuracy)), eval);

        // A run that stopped after two iterations (as a killed one does) continues to the same bits.
        Path cut = dir.resolve("cut");
        MainTest.run(0, fullBatch(cut, 2, "lbfgs", "--history", "5").toArray(String[]::new));
        Path config = cut.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"epochs\": 2", "\"epochs\": 4"));
        String resumed = MainTest.run(0, "train", "--resume", cut.toString(), "--data-dir", data.toString());
        assertTrue(resumed.contains("resuming " + cut + " after iteration 2"), resumed);
        Map<String, NdArray> a = SafeTensors.loadTensors(straight.resolve("model.safetensors"));
        Map<String, NdArray> b = SafeTensors.loadTensors(cut.resolve("model.safetensors"));
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), b.get(k).toDoubleArray(), 0, k));
        assertEquals(history.stream().map(TrainCommandTest::withoutTimes).toList(), Files.readAllLines(
                cut.resolve("history.csv")).stream().map(TrainCommandTest::withoutTimes).toList());
        MainTest.run(0, fullBatch(dir.resolve("newton-cg"), 2, "newton-cg", "--max-inner", "20").toArray(String[]::new));
    }

    @Test
    void whatAFullBatchRunCannotHonourIsRefusedSayingWhy() {
        assertTrue(refusal(fullBatch(dir.resolve("a"), 1, "lbfgs", "--batch-size", "16"))
                .contains("lbfgs takes one step on the mean loss over the whole training set"));
        for (String option : List.of("--dropout=0.1", "--batchnorm", "--augment", "--accumulate=2", "--clip-grad-norm=1",
                "--probes=5", "--curriculum=linear:0.5:2", "--average=ema:0.9")) {
            String message = refusal(fullBatch(dir.resolve("b"), 1, "cg", option));
            assertTrue(message.contains(option.replaceAll("=.*", "") + " has no place in it"), message);
        }
        assertTrue(refusal(fullBatch(dir.resolve("c"), 1, "lbfgs", "--lr", "0.1")).contains("lr"));
        String newton = refusal(fullBatch(dir.resolve("d"), 1, "newton"));
        assertTrue(newton.contains("newton is for small problems (it forms the n×n Hessian")
                && newton.contains("newton-cg needs only Hessian-vector products"), newton);
        assertTrue(refusal(fullBatch(dir.resolve("e"), 1, "coordinate-descent"))
                .contains("coordinate-descent is for small problems (it takes one line search per parameter)"));
        String bfgs = refusal(List.of("train", "--data-dir", data.toString(), "--out", dir.resolve("f").toString(),
                "--hidden", "256", "--optimizer", "bfgs"));
        assertTrue(bfgs.contains("BFGS keeps a dense 203530×203530 inverse-Hessian approximation") && bfgs.contains("lbfgs"),
                bfgs);
    }

    private static String refusal(List<String> args) {
        return MainTest.refusal(args.toArray(String[]::new));
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
