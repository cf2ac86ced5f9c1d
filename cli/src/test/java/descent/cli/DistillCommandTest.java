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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillCommandTest {

    @TempDir
    static Path data;

    @TempDir
    static Path teacher;

    @TempDir
    Path dir;

    /** Learnable MNIST-layout data and a wide, shallow teacher trained on it. */
    @BeforeAll
    static void trainTeacher() throws IOException {
        SyntheticMnist.write(data, "train", 600, 1);
        SyntheticMnist.write(data, "t10k", 200, 2);
        MainTest.run(0, "train", "--data-dir", data.toString(), "--out", teacher.toString(), "--epochs", "2",
                "--hidden", "48", "--batch-size", "32", "--threads", "1");
    }

    private static String[] distill(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("distill", "--teacher", teacher.toString(), "--data-dir",
                data.toString(), "--out", out.toString(), "--epochs", "2", "--hidden", "12,12,12,12", "--batch-size",
                "32", "--threads", "1", "--dropout", "0.1"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static final String[] HINTS = {"--hint", "body.layers.1", "--guided", "body.layers.5", "--hint-epochs", "1"};

    @Test
    void distillWritesARunFolderThatEvaluateReads() throws IOException {
        Path run = dir.resolve("run");
        String out = MainTest.run(0, distill(run, HINTS));
        assertTrue(out.contains("stage 1: hints") && out.contains("stage 2: distillation"), out);
        for (String f : List.of("config.json", "distill.json", "history.csv", "stages.csv", "metrics.json",
                "model.safetensors", "checkpoint.safetensors", "hints-checkpoint.safetensors", "report.html",
                "loss.png", "stages.png")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        List<String> history = Files.readAllLines(run.resolve("history.csv"));
        assertEquals(4, history.size()); // header, 1 hint epoch, 2 distillation epochs
        assertTrue(history.get(1).startsWith("1,19,") && history.get(3).startsWith("3,57,"), history.toString());
        assertEquals(List.of("stage,first_epoch,last_epoch,train_loss", "hints,1,1,hint loss",
                "distillation,2,3,distillation loss"), Files.readAllLines(run.resolve("stages.csv")));
        assertTrue(Files.readString(run.resolve("report.html")).contains("<h2>Stages</h2>"));
        // The saved student is a plain MLP: no regressor, the keys of a trained run.
        Map<String, NdArray> saved = SafeTensors.loadTensors(run.resolve("model.safetensors"));
        assertTrue(saved.keySet().stream().noneMatch(k -> k.contains("regressor")), saved.keySet().toString());
        assertTrue(saved.containsKey("body.layers.12.weight"), saved.keySet().toString());
        String metrics = Files.readString(run.resolve("metrics.json"));
        double accuracy = Double.parseDouble(metrics.replaceAll("(?s).*\"test_accuracy\": ([0-9.]+).*", "$1"));
        String eval = MainTest.run(0, "evaluate", "--model", run.toString(), "--data-dir", data.toString());
        assertTrue(eval.contains(String.format(java.util.Locale.ROOT, "accuracy %.2f%%", 100 * accuracy)), eval);
    }

    /** Killed after stage 1, before stage 2's first checkpoint, the run resumes to the same weights. */
    @Test
    void aResumedRunEndsWithTheWeightsOfAnUninterruptedOne() throws IOException {
        Path whole = dir.resolve("whole");
        MainTest.run(0, distill(whole, HINTS));
        Path cut = dir.resolve("cut");
        MainTest.run(0, distill(cut, HINTS));
        Files.delete(cut.resolve("checkpoint.safetensors"));
        Files.delete(cut.resolve("model.safetensors"));
        String out = MainTest.run(0, "distill", "--resume", cut.toString(), "--data-dir", data.toString());
        assertTrue(out.contains("resuming"), out);
        Map<String, NdArray> a = SafeTensors.loadTensors(whole.resolve("model.safetensors"));
        Map<String, NdArray> b = SafeTensors.loadTensors(cut.resolve("model.safetensors"));
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), b.get(k).toDoubleArray(), 0, k));
    }

    @Test
    void badLayersAndOptionsAreRefusedWithWhatToDo() {
        String unknown = MainTest.refusal(distill(dir.resolve("a"), "--hint", "body.layers.9", "--guided", "body.layers.5"));
        assertTrue(unknown.contains("the teacher's hint layer 'body.layers.9' is not a layer of the model; its layers "
                + "are: normalize, body, body.layers, body.layers.0, body.layers.1, body.layers.2"), unknown);
        String alone = MainTest.refusal(distill(dir.resolve("b"), "--hint", "body.layers.1"));
        assertTrue(alone.contains("--hint (a layer of the teacher) and --guided (a layer of the student) go together"),
                alone);
        String stopping = MainTest.refusal(distill(dir.resolve("c"), "--early-stopping", "2"));
        assertTrue(stopping.contains("distill does not support --early-stopping"), stopping);
        for (String[] option : new String[][] {{"--pretrain", "greedy"}, {"--aux-heads", "layers.1"},
            {"--init-from-data"}, {"--on-nonfinite", "skip-step"}, {"--freeze", "layers.0"}}) {
            String message = MainTest.refusal(distill(dir.resolve("e"), option));
            assertTrue(message.contains("distill does not support") && message.contains(option[0]), message);
        }
        String resumed = MainTest.refusal("distill", "--resume", dir.toString(), "--epochs", "3");
        assertTrue(resumed.contains("--epochs cannot change them"), resumed);
        String noTeacher = MainTest.refusal("distill", "--data-dir", data.toString(), "--out", dir.resolve("d").toString());
        assertTrue(noTeacher.contains("--teacher RUN_DIR"), noTeacher);
    }

}
