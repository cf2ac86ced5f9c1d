package descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.io.SafeTensors;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --aux-heads} and {@code train --init-from/--freeze/--new-head/--renormalize}. */
class AuxHeadsAndTransferTest {

    @TempDir
    static Path data;

    /** A finished run on the synthetic data that the transfer runs start from. */
    static Path source;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeDataAndTrainASource(@TempDir Path runs) throws IOException {
        SyntheticMnist.write(data, "train", 600, 5);
        SyntheticMnist.write(data, "t10k", 200, 6);
        source = runs.resolve("source");
        MainTest.run(0, args(source, 2).toArray(String[]::new));
    }

    private static List<String> args(Path out, int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data-dir", data.toString(), "--out", out.toString(),
                "--epochs", Integer.toString(epochs), "--hidden", "24,16", "--batch-size", "32", "--threads", "1",
                "--dropout", "0.1", "--schedule", "constant"));
        a.addAll(List.of(more));
        return a;
    }

    private static String[] argv(Path out, int epochs, String... more) {
        return args(out, epochs, more).toArray(String[]::new);
    }

    private static String refusal(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, Main.run(args));
        } finally {
            System.setErr(err);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, NdArray> model(Path run) throws IOException {
        return SafeTensors.loadTensors(run.resolve("model.safetensors"));
    }

    private static void assertSameWeights(Map<String, NdArray> a, Map<String, NdArray> b) {
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), b.get(k).toDoubleArray(), 0, k));
    }

    /** Stops a run after {@code epochs} (as a kill after that checkpoint would), then resumes it to {@code total}. */
    private static void cutAndResume(Path run, int epochs, int total, String... more) throws IOException {
        MainTest.run(0, argv(run, epochs, more));
        Path config = run.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"epochs\": " + epochs, "\"epochs\": " + total));
        String out = MainTest.run(0, "train", "--resume", run.toString(), "--data-dir", data.toString());
        assertTrue(out.contains("resuming " + run + " after epoch " + epochs), out);
    }

    @Test
    void auxiliaryHeadsTrainButLeaveNoTraceInTheSavedModelAndResumeBitExactly() throws IOException {
        Path run = dir.resolve("aux");
        String out = MainTest.run(0, argv(run, 2, "--aux-heads", "layers.1:0.5,body.layers.4"));
        assertTrue(out.contains("auxiliary heads body.layers.1:0.5,body.layers.4:0.3"), out);
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"aux_heads\": \"layers.1:0.5,body.layers.4\""));
        assertEquals(model(source).keySet(), model(run).keySet());
        Map<String, NdArray> ckpt = SafeTensors.loadTensors(run.resolve(TrainCommand.CHECKPOINT));
        assertArrayEquals(new int[] {10, 24}, ckpt.get("aux_heads/body.layers.1.weight").shape());
        assertTrue(ckpt.containsKey("optimizer/aux_heads.body.layers.4.bias/1.m"), ckpt.keySet().toString());
        String eval = MainTest.run(0, "evaluate", "--model", run.toString(), "--data-dir", data.toString());
        assertTrue(eval.contains("test set: accuracy"), eval);
        // The heads change what the network learns: not the weights of a run without them.
        MainTest.run(0, argv(dir.resolve("plain"), 2));
        assertFalse(java.util.Arrays.equals(model(dir.resolve("plain")).get("body.layers.0.weight").toDoubleArray(),
                model(run).get("body.layers.0.weight").toDoubleArray()));

        Path cut = dir.resolve("aux-cut");
        cutAndResume(cut, 1, 2, "--aux-heads", "layers.1:0.5,body.layers.4");
        assertSameWeights(model(run), model(cut));
    }

    @Test
    void badAuxiliaryHeadsAreRefusedSayingWhy() {
        String unknown = refusal(argv(dir.resolve("a"), 1, "--aux-heads", "layers.9"));
        assertTrue(unknown.contains("no layer 'layers.9'") && unknown.contains("body.layers.0, body.layers.1"), unknown);
        assertTrue(refusal(argv(dir.resolve("b"), 1, "--aux-heads", "layers.1:heavy")).contains("is not a number"));
        String fullBatch = refusal("train", "--data-dir", data.toString(), "--out", dir.resolve("c").toString(),
                "--optimizer", "lbfgs", "--hidden", "8", "--aux-heads", "layers.1");
        assertTrue(fullBatch.contains("--aux-heads trains heads beside the network with the minibatch trainer"), fullBatch);
    }

    @Test
    void fineTuningStartsFromTheSavedWeightsKeepsFrozenLayersAndResumesWithoutTheSavedRun() throws IOException {
        Path run = dir.resolve("tuned");
        String out = MainTest.run(0, argv(run, 2, "--init-from", source.toString(), "--freeze", "layers.0",
                "--new-head", "--lr", "0.003"));
        assertTrue(out.contains("starting from the weights of " + source + "; a new output layer body.layers.6 "
                + "(--new-head); the saved run's input normalization"), out);
        assertTrue(out.contains("frozen: body.layers.0 (570 of 19,410 parameters train)"), out);
        Map<String, NdArray> saved = model(source);
        Map<String, NdArray> tuned = model(run);
        for (String frozen : List.of("body.layers.0.weight", "body.layers.0.bias", "normalize.mean", "normalize.std")) {
            assertArrayEquals(saved.get(frozen).toDoubleArray(), tuned.get(frozen).toDoubleArray(), 0, frozen);
        }
        assertFalse(java.util.Arrays.equals(saved.get("body.layers.3.weight").toDoubleArray(),
                tuned.get("body.layers.3.weight").toDoubleArray()), "the layers above train");
        String config = Files.readString(run.resolve("config.json"));
        assertTrue(config.contains("\"init_from\": \"" + source + "\"") && config.contains("\"freeze\": \"layers.0\"")
                && config.contains("\"new_head\": true") && config.contains("\"hidden\": [24, 16]"), config);

        // Resumed from its checkpoint, the run needs the saved run no more and ends on the same bits.
        Path cut = dir.resolve("tuned-cut");
        Path moved = dir.resolve("source-moved");
        MainTest.run(0, argv(cut, 1, "--init-from", source.toString(), "--freeze", "layers.0", "--new-head", "--lr",
                "0.003"));
        Files.move(source, moved);
        try {
            Path config1 = cut.resolve("config.json");
            Files.writeString(config1, Files.readString(config1).replace("\"epochs\": 1", "\"epochs\": 2"));
            MainTest.run(0, "train", "--resume", cut.toString(), "--data-dir", data.toString());
        } finally {
            Files.move(moved, source);
        }
        assertSameWeights(tuned, model(cut));

        // A full-batch method trains the unfrozen parameters alone (of a network without dropout or batch norm).
        String dropout = refusal("train", "--data-dir", data.toString(), "--out", dir.resolve("x").toString(),
                "--optimizer", "lbfgs", "--init-from", source.toString());
        assertTrue(dropout.contains("the saved run's network has dropout layers, which lbfgs cannot train"), dropout);
        Path plain = dir.resolve("plain");
        MainTest.run(0, "train", "--data-dir", data.toString(), "--out", plain.toString(), "--epochs", "1", "--threads",
                "1", "--hidden", "8");
        Path lbfgs = dir.resolve("lbfgs");
        MainTest.run(0, "train", "--data-dir", data.toString(), "--out", lbfgs.toString(), "--epochs", "2", "--threads",
                "1", "--optimizer", "lbfgs", "--init-from", plain.toString(), "--freeze", "layers.0");
        for (String frozen : List.of("body.layers.0.weight", "body.layers.0.bias")) {
            assertArrayEquals(model(plain).get(frozen).toDoubleArray(), model(lbfgs).get(frozen).toDoubleArray(), 0, frozen);
        }
        assertFalse(java.util.Arrays.equals(model(plain).get("body.layers.2.weight").toDoubleArray(),
                model(lbfgs).get("body.layers.2.weight").toDoubleArray()));
    }

    @Test
    void theArchitectureIsTheSavedRunsAndTheNormalizationUnlessRenormalized() throws IOException {
        String hidden = refusal("train", "--data-dir", data.toString(), "--out", dir.resolve("a").toString(),
                "--init-from", source.toString(), "--hidden", "64");
        assertTrue(hidden.contains("--hidden 64 differs from the saved run's 24,16"), hidden);
        String act = refusal(argv(dir.resolve("b"), 1, "--init-from", source.toString(), "--activation", "tanh"));
        assertTrue(act.contains("--activation tanh differs from the saved run's relu"), act);
        String norm = refusal(argv(dir.resolve("c"), 1, "--init-from", source.toString(), "--normalize", "per-feature"));
        assertTrue(norm.contains("give --renormalize"), norm);
        assertTrue(refusal(argv(dir.resolve("d"), 1, "--new-head")).contains("give --init-from RUN_DIR too"));
        String noDropout = refusal("train", "--data-dir", data.toString(), "--out", dir.resolve("f").toString(),
                "--init-from", source.toString(), "--dropout", "0");
        assertTrue(noDropout.contains("--dropout 0.0 would remove the dropout layers of the saved run's network"),
                noDropout);
        assertTrue(refusal(argv(dir.resolve("e"), 1, "--init-from", source.toString(), "--freeze", "layers.77"))
                .contains("its layers: normalize, body, body.layers, body.layers.0"));

        // Without the architecture options it is taken over; --renormalize fits this (smaller) training set.
        Path kept = dir.resolve("kept");
        Path refit = dir.resolve("refit");
        MainTest.run(0, "train", "--data-dir", data.toString(), "--out", kept.toString(), "--epochs", "1", "--threads", "1",
                "--limit", "100", "--init-from", source.toString());
        MainTest.run(0, "train", "--data-dir", data.toString(), "--out", refit.toString(), "--epochs", "1", "--threads",
                "1", "--limit", "100", "--init-from", source.toString(), "--renormalize", "--normalize", "per-feature");
        assertEquals(model(source).get("normalize.mean").item(), model(kept).get("normalize.mean").item());
        assertTrue(Files.readString(kept.resolve("config.json")).contains("\"dropout\": 0.1"), "dropout taken over");
        assertArrayEquals(new int[] {784}, model(refit).get("normalize.mean").shape());
    }

    /** A saved model whose layer does not fit is refused with its name and both shapes; other classes get a new head. */
    @Test
    void aSavedModelThatDoesNotFitIsRefusedAndOtherClassesGetANewHead() throws IOException {
        Path broken = copyOfSourceWith("body.layers.0.weight", NdArray.zeros(DType.FLOAT32, 24, 100));
        String message = refusal(argv(dir.resolve("a"), 1, "--init-from", broken.toString()));
        assertTrue(message.contains("does not fit this run's network") && message.contains(
                "body.layers.0.weight: state dict has FLOAT32[24, 100], module has FLOAT32[24, 784]"), message);

        Path fiveClasses = copyOfSourceWith("body.layers.6.weight", NdArray.zeros(DType.FLOAT32, 5, 16));
        Map<String, NdArray> state = model(fiveClasses);
        state.put("body.layers.6.bias", NdArray.zeros(DType.FLOAT32, 5));
        SafeTensors.save(fiveClasses.resolve("model.safetensors"), state, Map.of("format", "pt"));
        String out = MainTest.run(0, argv(dir.resolve("b"), 1, "--init-from", fiveClasses.toString()));
        assertTrue(out.contains("a new output layer body.layers.6 (the saved run has 5 classes, this data set 10)"), out);
        assertTrue(refusal(argv(dir.resolve("c"), 1, "--init-from", dir.resolve("nothing").toString()))
                .contains("not a run folder written by ./descent train"));
    }

    private Path copyOfSourceWith(String name, NdArray value) throws IOException {
        Path copy = Files.createDirectories(dir.resolve("copy-" + name));
        Files.copy(source.resolve("config.json"), copy.resolve("config.json"));
        Map<String, NdArray> state = new LinkedHashMap<>(model(source));
        state.put(name, value);
        SafeTensors.save(copy.resolve("model.safetensors"), state, Map.of("format", "pt"));
        return copy;
    }

    @Test
    void theNewSettingsAreWrittenOnlyWhenUsedAndReadBack() throws IOException {
        RunConfig plain = RunConfigTest.config("adam", Map.of(), false);
        for (String key : List.of("aux_heads", "init_from", "freeze", "new_head", "renormalize")) {
            assertFalse(plain.toJson().contains(key), key);
        }
        RunConfig back = RunConfig.parse(plain.toJson(), "test");
        assertEquals(null, back.auxHeads());
        assertFalse(back.newHead() || back.renormalize());
        RunConfig set = new RunConfig("mnist", new int[] {4}, "relu", "default", 0, false, "pytorch", Double.NaN, 0,
                "inverted", "global", "adam", Map.of(), 16, 1, null, 0, 0, 0, null, 0, 1, false, 0, null, null, "layers.1:0.5",
                "runs/a", "layers.0,layers.2", true, true, 0, 0, "stop", 0, 1, 1);
        RunConfig read = RunConfig.parse(set.toJson(), "test");
        assertEquals(List.of("layers.1:0.5", "runs/a", "layers.0,layers.2", true, true), List.of(read.auxHeads(),
                read.initFrom(), read.freeze(), read.newHead(), read.renormalize()));
        assertEquals(List.of("layers.0", "layers.2"), read.frozen());
    }
}
