package descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --on-nonfinite stop|skip-step|rollback}: written to config.json, acted on, refused where it cannot be. */
class OnNonFiniteOptionTest {

    @TempDir
    static Path data;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeData() throws IOException {
        SyntheticMnist.write(data, "train", 200, 1);
        SyntheticMnist.write(data, "t10k", 50, 2);
    }

    /** SGD at a rate of 10⁶: the weights overflow within the first epoch at any of the three halvings. */
    private static List<String> diverging(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data-dir", data.toString(), "--out", out.toString(),
                "--epochs", "2", "--hidden", "16", "--batch-size", "20", "--threads", "1", "--optimizer", "sgd",
                "--lr", "1e6", "--schedule", "constant"));
        a.addAll(List.of(more));
        return a;
    }

    /** Exit code and what went to standard output and standard error. */
    private static String[] run(List<String> args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args.toArray(String[]::new));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new String[] {Integer.toString(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void stopNamesTheLayerAndStep() {
        String[] r = run(diverging(dir.resolve("stop")));
        assertEquals("1", r[0], "a non-finite stop is a failure, exit code 1");
        assertTrue(r[2].matches("(?s)descent train: non-finite value at step \\d+ \\(epoch 1\\): first in .*pass.*"), r[2]);
        assertFalse(r[2].contains("gave up"), r[2]);
    }

    @Test
    void skipStepGivesUpAfterThreeInARow() throws IOException {
        Path run = dir.resolve("skip");
        String[] r = run(diverging(run, "--on-nonfinite", "skip-step"));
        assertEquals("1", r[0], r[1] + r[2]);
        assertEquals(3, r[1].lines().filter(l -> l.contains("skipped step")).count(), r[1]);
        assertTrue(r[2].contains("gave up after 4 non-finite steps in a row (skip-step tolerates 3)"), r[2]);
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"on_nonfinite\": \"skip-step\""));
    }

    @Test
    void rollbackHalvesTheRateThreeTimesThenStops() throws IOException {
        Path run = dir.resolve("rollback");
        String[] r = run(diverging(run, "--on-nonfinite", "rollback"));
        assertEquals("1", r[0], r[1] + r[2]);
        List<String> notes = r[1].lines().filter(l -> l.contains("rolled back to the checkpoint of step 0 (epoch 0)"))
                .toList();
        assertEquals(3, notes.size(), r[1]);
        assertTrue(notes.getLast().endsWith("learning rate now ×0.125"), notes.getLast());
        assertTrue(r[2].contains("gave up after 3 rollbacks, each halving the learning rate (now ×0.125)"), r[2]);
        assertTrue(Files.readString(run.resolve("config.json")).contains("\"on_nonfinite\": \"rollback\""));
    }

    @Test
    void stopIsNotWrittenAndBadOrUnhonouredActionsAreRefused() throws IOException {
        Path run = dir.resolve("ok");
        MainTest.run(0, "train", "--data-dir", data.toString(), "--out", run.toString(), "--epochs", "1", "--hidden", "8",
                "--threads", "1");
        assertFalse(Files.readString(run.resolve("config.json")).contains("on_nonfinite"));
        String bad = MainTest.refusal(diverging(dir.resolve("b"), "--on-nonfinite", "retry").toArray(String[]::new));
        assertTrue(bad.contains("--on-nonfinite retry: unknown non-finite action 'retry': use stop, skip-step or rollback"),
                bad);
        String fullBatch = MainTest.refusal("train", "--data-dir", data.toString(), "--out", dir.resolve("f").toString(),
                "--hidden", "8", "--optimizer", "lbfgs", "--on-nonfinite", "rollback");
        assertTrue(fullBatch.contains("--on-nonfinite rollback has no place in it"), fullBatch);
        String pretrain = MainTest.refusal("train", "--data-dir", data.toString(), "--out", dir.resolve("p").toString(),
                "--hidden", "8,8", "--pretrain", "greedy:1", "--on-nonfinite", "skip-step");
        assertTrue(pretrain.contains("--on-nonfinite skip-step acts on one trainer's steps"), pretrain);
    }
}
