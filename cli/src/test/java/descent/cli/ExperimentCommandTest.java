package descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.cli.lab.Experiment;
import descent.cli.lab.Runner;
import descent.cli.lab.experiments.Experiments;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentCommandTest {

    @TempDir
    static Path data;

    @TempDir
    Path out;

    @BeforeAll
    static void writeData() throws IOException {
        SyntheticMnist.write(data, "train", 1200, 3);
        SyntheticMnist.write(data, "t10k", 300, 4);
    }

    @Test
    void listNamesEveryExperiment() {
        String text = MainTest.run(0, "experiment", "list");
        for (String name : Experiments.names()) {
            assertTrue(text.contains(name), name);
        }
        assertEquals(26, Experiments.names().size());
    }

    /** The lab's order is the notes' order; names are what scripts and links use, so they never change. */
    @Test
    void experimentsKeepTheirNamesInLabOrder() {
        assertEquals(List.of("init-variance", "activations", "symmetry", "deep-linear", "optimizers-2d",
                "optimizers-mnist", "unbiasing", "step-size", "batchnorm", "dropout", "weight-decay", "early-stopping",
                "augmentation", "polyak", "input-normalization",
                "data-dependent-init", "sparse-init", "residual-gradients", "second-order", "sparse-coding", "curriculum",
                "continuation", "fitnets",
                "greedy-pretraining", "aux-heads", "transfer"), Experiments.names());
        assertEquals("weight-decay", Experiments.named("Weight-Decay").name());
    }

    @Test
    void anUnknownExperimentIsAClearError() {
        MainTest.run(2, "experiment", "no-such-lesson");
    }

    /** Every experiment, in its smoke-run size, writes its files and verdicts; the index links them all. */
    @Test
    void allWritesEveryExperimentAndOneOfflineReport() throws IOException {
        String text = MainTest.run(0, "experiment", "all", "--quick", "--data-dir", data.toString(), "--out",
                out.toString(), "--threads", "1",
                "--fashion-data-dir", data.toString());
        String index = Files.readString(out.resolve("index.html"));
        for (String name : Experiments.names()) {
            Path dir = out.resolve(name);
            assertTrue(Files.exists(dir.resolve("index.html")), name);
            try (Stream<Path> files = Files.list(dir)) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                assertTrue(names.stream().anyMatch(f -> f.endsWith(".csv")), name + ": " + names);
                assertTrue(names.stream().anyMatch(f -> f.endsWith(".png")), name + ": " + names);
                assertTrue(names.stream().noneMatch(f -> f.endsWith(".tmp")), name + ": " + names);
            }
            assertTrue(index.contains("href=\"" + name + "/index.html\""), name);
            assertTrue(text.contains(name + ": [agrees]") || text.contains(name + ": [differs]"), name);
        }
        // Offline: nothing is fetched from anywhere.
        assertTrue(!index.contains("http") && !index.contains("<script"), "index fetches or runs something");
        List<String> norms = Files.readAllLines(out.resolve("init-variance/layer_norms.csv"));
        assertEquals("scheme,layer,activation_norm,activation_gradient_norm,weight_gradient_norm", norms.getFirst());
        assertEquals(1 + 3 * 50, norms.size());
        assertTrue(norms.get(1).startsWith("1/n,1,") && norms.get(51).startsWith("2/n,1,") && norms.get(150).startsWith("3/n,50,"));
    }

    @Test
    void aVerdictThatDiffersFailsTheCommandExceptInASmokeRun() throws IOException {
        Experiment wrong = new Experiment("wrong-theory", "Wrong", "A lesson whose claim does not hold.",
                lab -> lab.verdict("one plus one", "2", "3", false));
        var outcome = Runner.run(List.of(wrong), out, 0, false, null,
                new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(1, ExperimentCommand.exitCode(outcome, false));
        assertEquals(0, ExperimentCommand.exitCode(outcome, true));
        Experiment right = new Experiment("right-theory", "Right", "A lesson whose claim holds.",
                lab -> lab.verdict("one plus one", "2", "2", true));
        assertEquals(0, ExperimentCommand.exitCode(Runner.run(List.of(right), out, 0, false, null,
                new PrintStream(OutputStream.nullOutputStream())), false));
    }

    @Test
    void cheapExperimentsAgreeWithTheoryAtTheirDefaultSize() {
        // These need no data and run in seconds at full size; their verdicts are exact or statistical with margin.
        for (String name : List.of("deep-linear", "unbiasing", "step-size", "polyak", "input-normalization",
                "sparse-coding", "residual-gradients")) {
            String text = MainTest.run(0, "experiment", name, "--out", out.toString());
            assertTrue(text.contains("[agrees]") && !text.contains("[differs]"), text);
        }
    }
}
