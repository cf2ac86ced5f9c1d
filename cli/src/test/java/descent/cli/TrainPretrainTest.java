package descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.io.SafeTensors;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --pretrain greedy...}: the staged run folder, its report, a resume mid-stage, and what it refuses. */
class TrainPretrainTest {

    @TempDir
    static Path data;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeData() throws IOException {
        SyntheticMnist.write(data, "train", 600, 1);
        SyntheticMnist.write(data, "t10k", 200, 2);
    }

    private static List<String> args(Path out, String pretrain, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data-dir", data.toString(), "--out", out.toString(),
                "--epochs", "2", "--hidden", "16,16", "--activation", "tanh", "--batch-size", "16", "--threads", "1",
                "--dropout", "0.1", "--pretrain", pretrain));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void aPretrainedRunWritesEveryStageToItsHistoryAndReport() throws IOException {
        Path run = dir.resolve("run");
        String out = MainTest.run(0, args(run, "greedy:2", "--val-split", "0.2", "--early-stopping", "5")
                .toArray(String[]::new));
        assertTrue(out.contains("stage 1/3: hidden layer 1 with a temporary head (body.0.weight, body.0.bias, "
                + "body.3.weight, body.3.bias)"), out);
        assertTrue(out.contains("stage 2/3: hidden layer 2 with the network's output layer"), out);
        assertTrue(out.contains("stage 3/3: fine-tuning the whole network"), out);
        List<String> history = Files.readAllLines(run.resolve("history.csv"));
        assertTrue(history.getFirst().endsWith(",samples_per_second,stage"), history.getFirst());
        assertEquals(List.of("layer 1", "layer 1", "layer 2", "layer 2", "fine-tune", "fine-tune"),
                history.stream().skip(1).map(l -> l.substring(l.lastIndexOf(',') + 1)).toList());
        assertEquals(List.of("1", "2", "3", "4", "5", "6"), history.stream().skip(1).map(l -> l.split(",")[0]).toList());
        // 480 training examples in batches of 16: 30 steps an epoch, numbered across the stages.
        assertEquals("180", history.getLast().split(",")[1]);
        for (String f : List.of("checkpoint-stage-1.safetensors", "checkpoint-stage-2.safetensors",
                TrainCommand.CHECKPOINT, "model.safetensors", "report.html", "loss.png")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"pretrain\": \"greedy:2\""));
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("layer 1: epochs 1–2; layer 2: epochs 3–4; fine-tune: epochs 5–6"), html);
        assertTrue(html.contains("stage: fine-tune"), html);
        assertTrue(Files.readString(run.resolve("metrics.json")).contains("\"pretrain\": \"greedy:2\""));
        String eval = MainTest.run(0, "evaluate", "--model", run.toString(), "--data-dir", data.toString());
        assertTrue(eval.contains("accuracy"), eval);
    }

    /**
     * Kills a real training process (SIGKILL) once the second stage has checkpointed, resumes the
     * run from its folder, and compares every weight and the history with an uninterrupted run's.
     */
    @Test
    void aRunKilledMidStageResumesToTheSameWeights() throws Exception {
        Path whole = dir.resolve("whole");
        MainTest.run(0, args(whole, "greedy:4").toArray(String[]::new));

        Path killed = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true", "-cp",
                System.getProperty("java.class.path"), "descent.cli.Main"));
        cmd.addAll(args(killed, "greedy:4"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        Path stage2 = killed.resolve("checkpoint-stage-2.safetensors");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(stage2) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        p.destroyForcibly().waitFor();
        assertTrue(Files.exists(stage2), Files.readString(dir.resolve("log")));
        assertTrue(!Files.exists(killed.resolve("metrics.json")), "killed before the end");

        String out = MainTest.run(0, "train", "--resume", killed.toString(), "--data-dir", data.toString());
        assertTrue(out.contains("resuming") && out.contains("(resumed after epoch"), out);
        Map<String, NdArray> a = SafeTensors.loadTensors(whole.resolve("model.safetensors"));
        Map<String, NdArray> b = SafeTensors.loadTensors(killed.resolve("model.safetensors"));
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), b.get(k).toDoubleArray(), 0, k));
        assertEquals(withoutTimes(whole.resolve("history.csv")), withoutTimes(killed.resolve("history.csv")));
    }

    /** history.csv without its wall-clock columns (seconds, samples/s), the stage column kept. */
    private static List<String> withoutTimes(Path history) throws IOException {
        return Files.readAllLines(history).stream().map(row -> {
            String[] f = row.split(",");
            List<String> kept = new ArrayList<>(Arrays.asList(f).subList(0, f.length - 3));
            kept.add(f[f.length - 1]);
            return String.join(",", kept);
        }).toList();
    }

    @Test
    void whatPretrainingCannotHonourIsRefusedSayingWhy() {
        Path x = dir.resolve("x");
        assertRefused(args(x, "greedy:0"), "expected greedy[:EPOCHS_PER_LAYER][:joint]");
        assertRefused(args(x, "layerwise"), "expected greedy[:EPOCHS_PER_LAYER][:joint]");
        assertRefused(args(x, "greedy", "--curriculum", "linear:0.5:2"), "--curriculum paces one run's epochs");
        assertRefused(args(x, "greedy", "--probes", "10"), "--probes watches one model's layers");
        List<String> lbfgs = new ArrayList<>(args(x, "greedy", "--optimizer", "lbfgs"));
        int i = lbfgs.indexOf("--dropout");
        lbfgs.subList(i, i + 2).clear();
        i = lbfgs.indexOf("--batch-size");
        lbfgs.subList(i, i + 2).clear();
        assertRefused(lbfgs, "--pretrain has no place in it");
        assertTrue(!Files.exists(x.resolve("config.json")), "nothing written for a refused run");
    }

    private static void assertRefused(List<String> args, String message) {
        String text = MainTest.refusal(args.toArray(String[]::new));
        assertTrue(text.contains(message), text);
    }
}
