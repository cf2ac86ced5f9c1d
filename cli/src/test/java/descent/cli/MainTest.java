package descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

    static String run(int expectedCode, String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertEquals(expectedCode, Main.run(args));
        } finally {
            System.setOut(out);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void completionIsABashScriptThatKnowsTheCommandsAndOptions() {
        String script = run(0, "completion");
        assertTrue(script.startsWith("#!/usr/bin/env bash") && script.contains("complete -F"), script.substring(0, 200));
        for (String word : List.of("train", "experiment", "--batchnorm-convention", "--init-from-data")) {
            assertTrue(script.contains(word), word);
        }
    }

    /** Runs a command line that must be refused (exit code 2) and returns what it printed on standard error. */
    static String refusal(String... args) {
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

    @Test
    void helpListsTheCommands() {
        String help = run(0, "--help");
        assertTrue(help.contains("train") && help.contains("bench"), help);
        assertTrue(help.contains("Exit codes:") && help.contains("3   training stopped early"), help);
        assertTrue(run(0, "--version").startsWith("descent "));
    }

    /** The options that several commands share come from one mixin; each command takes only those it uses. */
    @Test
    void sharedOptionsAreDeclaredOnceAndTakenWhereTheyMeanSomething() {
        CommandLine main = new CommandLine(new Main());
        for (String command : List.of("train", "experiment", "evaluate")) {
            CommandLine.Model.CommandSpec spec = main.getSubcommands().get(command).getCommandSpec();
            boolean writes = !command.equals("evaluate");
            for (String option : List.of("--data-dir", "--threads", "--seed", "--out")) {
                boolean shared = option.equals("--data-dir") || option.equals("--threads");
                assertEquals(shared || writes, spec.findOption(option) != null, command + " " + option);
            }
        }
        RunOptions given = new RunOptions();
        assertEquals(7, given.seedOr(7));
        assertEquals(Path.of("runs", "lab"), given.outOr(Path.of("runs", "lab")));
        new CommandLine(given).parseArgs("--seed", "3", "--out", "x", "--threads", "2");
        assertEquals(3, given.seedOr(7));
        assertEquals(Path.of("x"), given.outOr(Path.of("runs", "lab")));
        assertEquals(2, given.threadsOr(5));
    }

    @Test
    void gemmBenchPrintsCsvRows() {
        String csv = run(0, "bench", "gemm", "--csv", "--shapes", "16x10x8;8x8x8xT", "--threads", "1,2",
                "--repeats", "3", "--warmup-ms", "0");
        String[] lines = csv.strip().split("\n");
        assertEquals("m,n,k,threads,gflops_median,gflops_min,gflops_max", lines[0]);
        assertEquals(5, lines.length, csv);
        assertTrue(lines[1].startsWith("16,10,8,1,"), lines[1]);
        assertTrue(lines[4].startsWith("8,8,8,2,"), lines[4]);
        String[] f = lines[1].split(",");
        assertTrue(Double.parseDouble(f[5]) <= Double.parseDouble(f[4])
                && Double.parseDouble(f[4]) <= Double.parseDouble(f[6]), lines[1]);
    }

    @Test
    void trainBenchPrintsThroughputAndPhases() {
        String out = run(0, "bench", "train", "--samples", "512", "--runs", "1", "--optimizer", "sgd,adam",
                "--threads", "1", "--phases");
        String[] lines = out.strip().split("\n");
        assertEquals(4, lines.length, out);
        assertTrue(lines[0].matches("sgd, per batch: forward and loss [0-9.]+ ms, backward [0-9.]+ ms, "
                + "finiteness check [0-9.]+ ms, optimizer step [0-9.]+ ms"), lines[0]);
        assertTrue(lines[1].startsWith("mlp-784-256-128-10-sgd-descent, batch 128, 1 threads: "), lines[1]);
        assertTrue(lines[3].startsWith("mlp-784-256-128-10-adam-descent, batch 128, 1 threads: "), lines[3]);
        String csv = run(0, "bench", "train", "--samples", "256", "--runs", "1", "--optimizer", "sgd", "--csv");
        String[] rows = csv.strip().split("\n");
        assertEquals("model,batch,threads,samples_per_second_median,samples_per_second_min,samples_per_second_max",
                rows[0]);
        assertTrue(rows[1].matches("mlp-784-256-128-10-sgd-descent,128,\\d+,\\d+,\\d+,\\d+"), rows[1]);
    }

    @Test
    void badShapesAreRejected() {
        assertNotEquals(0, Main.run("bench", "gemm", "--shapes", "12x7"));
    }

    @Test
    void trajectoryWritesRowsAndAPlot(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("gd.csv");
        Path png = dir.resolve("gd.png");
        run(0, "trajectory", "--optimizer", "gd", "--lr", "0.1", "--function", "ellipse", "--kappa", "5",
                "--start", "2,1", "--steps", "50", "--out", csv.toString(), "--plot", png.toString());
        java.util.List<String> lines = Files.readAllLines(csv);
        assertEquals("step,x,y,f", lines.get(0));
        assertEquals(52, lines.size());
        assertEquals("0,2.0,1.0,4.5", lines.get(1));
        String[] second = lines.get(2).split(",");
        assertEquals(1.8, Double.parseDouble(second[1]), 1e-15);
        assertEquals(0.5, Double.parseDouble(second[2]), 1e-15);
        assertEquals(2.245, Double.parseDouble(second[3]), 1e-15);
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
        assertEquals("\u0089PNG", new String(head, 0, 4, StandardCharsets.ISO_8859_1));
    }

    @Test
    void trajectoryComparesSeveralOptimizersInOneFile(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("all.csv");
        run(0, "trajectory", "--optimizer", "adam:lr=0.1", "--optimizer", "momentum:lr=0.001", "--steps", "10",
                "--out", csv.toString());
        java.util.List<String> lines = Files.readAllLines(csv);
        assertEquals("optimizer,step,x,y,f", lines.get(0));
        assertEquals(23, lines.size());
        assertTrue(lines.get(1).startsWith("\"adam:lr=0.1\",0,-1.2,1.0,"), lines.get(1));
        assertTrue(lines.get(12).startsWith("\"momentum:lr=0.001\",0,"), lines.get(12));
    }

    /** On Rastrigin from (3.2, −2.8): plain descent stops at the ripple near (3, −3), the annealed blur reaches the origin. */
    @Test
    void trajectoryStepsOnAnAnnealedBlurWithContinuation(@TempDir Path dir) throws Exception {
        Path plain = dir.resolve("plain.csv");
        Path blurred = dir.resolve("blurred.csv");
        List<String> common = List.of("trajectory", "--function", "rastrigin", "--optimizer", "gd", "--lr", "0.002",
                "--start", "3.2,-2.8", "--steps", "2000");
        run(0, java.util.stream.Stream.concat(common.stream(), java.util.stream.Stream.of("--out", plain.toString()))
                .toArray(String[]::new));
        run(0, java.util.stream.Stream.concat(common.stream(), java.util.stream.Stream.of("--out", blurred.toString(),
                "--continuation", "smooth:1:1500:4", "--seed", "3")).toArray(String[]::new));
        String[] stuck = Files.readAllLines(plain).getLast().split(",");
        String[] found = Files.readAllLines(blurred).getLast().split(",");
        assertEquals(3, Double.parseDouble(stuck[1]), 0.1);
        assertEquals(-3, Double.parseDouble(stuck[2]), 0.1);
        assertEquals(0, Double.parseDouble(found[1]), 1e-3);
        assertEquals(0, Double.parseDouble(found[2]), 1e-3);
        for (String bad : List.of("blur:1:10", "smooth:1", "smooth:0:10", "smooth:1:10:0", "smooth:x:10")) {
            assertEquals(2, Main.run("trajectory", "--function", "rastrigin", "--optimizer", "gd", "--continuation", bad),
                    bad);
        }
        assertEquals(2, Main.run("trajectory", "--optimizer", "gd", "--seed", "1"), "a seed that seeds nothing");
    }

    @Test
    void trajectoryRejectsHyperparametersTheOptimizerDoesNotTake() {
        assertNotEquals(0, Main.run("trajectory", "--optimizer", "adam", "--rho", "0.9"));
        assertNotEquals(0, Main.run("trajectory", "--optimizer", "adam", "--function", "parabola"));
    }
}
