package descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import descent.io.AtomicFiles;
import descent.io.Json;
import descent.io.SafeTensors;
import descent.train.EpochMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training killed at any instant resumes to the very weights of an uninterrupted run, and never
 * leaves a truncated file; a write that fails stops the run with the file's name and keeps the last
 * checkpoint; a run folder holds one run at a time.
 */
class CrashSafetyTest {

    @TempDir
    static Path data;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeData() throws IOException {
        SyntheticMnist.write(data, "train", 160, 1);
        SyntheticMnist.write(data, "t10k", 40, 2);
    }

    /** A tiny run that checkpoints after every step, so that kills often land inside a checkpoint write. */
    private static List<String> args(Path out) {
        return List.of("train", "--data-dir", data.toString(), "--out", out.toString(), "--epochs", "6", "--hidden", "8",
                "--batch-size", "16", "--threads", "1", "--dropout", "0.1", "--augment", "shift=1", "--average", "ema:0.9",
                "--checkpoint-every", "1");
    }

    /** A separate JVM running {@code args} (C1 only: a short process starts faster, and computes the same). */
    private Process start(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "descent.cli.Main"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /**
     * One uninterrupted run in a separate JVM first (while it holds the folder, a second run is
     * refused naming its pid); then two chains side by side (a core each) of runs killed with
     * SIGKILL 25 times each and resumed each time, until they end: a fifth of the kills at a random
     * instant of a process's start, two fifths at a random instant in the 1.2 s after it has
     * locked its folder (loading the data, restoring the checkpoint, training), two fifths in the
     * 0.4 s after it has written its first checkpoint (training with a checkpoint written after
     * every step, so most kills land inside a write, or writing the model and the report). After each kill every file in the folder
     * must load; every run that ends must hold the uninterrupted run's weights, byte for byte, and
     * no temporary file.
     */
    @Test
    void fiftyKillsAtRandomInstantsEachResumeToTheUninterruptedWeights() throws Exception {
        Path whole = dir.resolve("whole");
        MainTest.run(0, args(whole).toArray(String[]::new));
        Finished reference = new Finished(Files.readAllBytes(whole.resolve("model.safetensors")),
                withoutTimes(whole.resolve("history.csv")));
        long started = System.nanoTime();

        Path first = dir.resolve("first");
        Process p = start(args(first), dir.resolve("first.log"));
        long lockedAfter = waitForLockHolder(first, p);
        String refused = MainTest.refusal(args(first).toArray(String[]::new));
        assertTrue(p.isAlive(), "the holder was still running");
        assertTrue(refused.contains("in use by another run (pid " + p.pid() + " on "), refused);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the first run ended");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("first.log")));
        reference.check(first, dir.resolve("first.log"));

        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Chain>> chains = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                Chain chain = new Chain(dir.resolve("chain-" + c), new Random(19 + c), lockedAfter, reference);
                chains.add(pool.submit(() -> chain.killAndResume(25)));
            }
            int kills = 0;
            int midWrite = 0;
            int processes = 1;
            int finished = 1;
            for (var f : chains) {
                Chain c = f.get(300, TimeUnit.SECONDS);
                kills += c.kills;
                midWrite += c.midWrite;
                processes += c.processes;
                finished += c.finished;
            }
            System.out.printf("kill test: %d SIGKILLs (%d inside a file write) over %d processes, %d runs finished "
                    + "with the uninterrupted weights, in %.1f s%n", kills, midWrite, processes, finished,
                    (System.nanoTime() - started) / 1e9);
            assertEquals(50, kills);
            assertTrue(midWrite > 0, "some kills landed inside a write");
        } finally {
            pool.shutdownNow();
        }
    }

    /** What every run must end with: the uninterrupted run's model file and history (times aside). */
    private record Finished(byte[] model, List<String> history) {
        void check(Path run, Path log) throws IOException {
            checkFolder(run, log);
            assertArrayEquals(model, Files.readAllBytes(run.resolve("model.safetensors")),
                    run + ": the weights of a run killed and resumed are those of the uninterrupted run");
            assertEquals(history, withoutTimes(run.resolve("history.csv")));
            try (Stream<Path> files = Files.list(run)) {
                assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(),
                        "no temporary file is left once the run ends");
            }
        }
    }

    /** Runs in folders {@code base-0}, {@code base-1}, ..., killed at random instants and resumed until they end. */
    private final class Chain {
        private final Path base;
        private final Random instants;
        private final long startNanos;
        private final Finished reference;
        int kills;
        int midWrite;
        int processes;
        int finished;

        Chain(Path base, Random instants, long startNanos, Finished reference) {
            this.base = base;
            this.instants = instants;
            this.startNanos = startNanos;
            this.reference = reference;
        }

        Chain killAndResume(int killsWanted) throws Exception {
            Path log = Path.of(base + ".log");
            Path run = Path.of(base + "-0");
            while (kills < killsWanted || Files.exists(run)) { // until the run under way ends
                boolean resume = Files.exists(run.resolve(TrainCommand.CHECKPOINT));
                Process p = start(resume ? List.of("train", "--resume", run.toString(), "--data-dir", data.toString())
                        : args(run), log);
                processes++;
                FileTime before = modified(run.resolve(TrainCommand.CHECKPOINT));
                int phase = instants.nextInt(5);
                boolean exited;
                if (kills >= killsWanted) {
                    exited = p.waitFor(120, TimeUnit.SECONDS);
                } else if (phase == 0) {
                    exited = p.waitFor(instants.nextLong(startNanos), TimeUnit.NANOSECONDS);
                } else if (phase <= 2) {
                    waitForLockHolder(run, p);
                    exited = p.waitFor(instants.nextLong(1_200_000_000L), TimeUnit.NANOSECONDS);
                } else { // once it trains: a checkpoint a step, most of a step's time
                    while (p.isAlive() && Objects.equals(before, modified(run.resolve(TrainCommand.CHECKPOINT)))) {
                        Thread.sleep(1);
                    }
                    exited = p.waitFor(instants.nextLong(400_000_000L), TimeUnit.NANOSECONDS);
                }
                if (!exited) {
                    if (kills >= killsWanted) {
                        fail("the last run did not end: " + Files.readString(log));
                    }
                    p.destroyForcibly().waitFor(); // SIGKILL
                    kills++;
                    midWrite += checkFolder(run, log);
                    continue;
                }
                assertEquals(0, p.exitValue(), Files.readString(log));
                reference.check(run, log);
                finished++;
                run = Path.of(base + "-" + finished);
            }
            return this;
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null; // not written yet
        }
    }

    /** Waits until {@code p} holds the lock on {@code run}; returns the nanoseconds since it started. */
    private static long waitForLockHolder(Path run, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() && System.nanoTime() < deadline) {
            Path lock = run.resolve(RunLock.FILE);
            if (Files.exists(lock) && Files.readString(lock).contains("pid " + p.pid())) {
                return java.time.Duration.between(p.info().startInstant().orElseThrow(), java.time.Instant.now())
                        .toNanos();
            }
            Thread.sleep(2);
        }
        return fail("the run never took its lock");
    }

    /**
     * Every file of a run folder parses; returns 1 if a killed write left its temporary file
     * (the next run clears it), else 0.
     */
    private static int checkFolder(Path run, Path log) throws IOException {
        int temporary = 0;
        if (!Files.isDirectory(run)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(run)) {
            for (Path f : s.toList()) {
                String name = f.getFileName().toString();
                try {
                    if (name.startsWith(".") && name.endsWith(".tmp")) {
                        temporary = 1;
                    } else if (name.equals(RunLock.FILE)) {
                        continue; // rewritten in place under the lock, who holds it for the refusal message
                    } else if (name.equals("config.json")) {
                        RunConfig.read(f);
                    } else if (name.equals("history.csv")) {
                        EpochMetrics.parseCsvTable(Files.readString(f));
                    } else if (name.endsWith(".safetensors")) {
                        SafeTensors.load(f);
                    } else if (name.endsWith(".json")) {
                        Json.read(Files.readString(f), name);
                    } else if (name.endsWith(".html")) {
                        assertTrue(Files.readString(f).strip().endsWith("</html>"), name);
                    } else if (name.endsWith(".png")) {
                        byte[] b = Files.readAllBytes(f);
                        assertEquals("IEND", new String(b, b.length - 8, 4, StandardCharsets.US_ASCII), name);
                    } else {
                        fail("unexpected file " + f);
                    }
                } catch (IOException | RuntimeException e) {
                    throw new AssertionError(f + " does not load after a kill: " + e + "\n" + Files.readString(log), e);
                }
            }
        }
        return temporary;
    }

    /** A history's rows without their wall-clock columns (seconds, samples/s). */
    private static List<String> withoutTimes(Path history) throws IOException {
        List<String> rows = Files.readAllLines(history);
        List<String> header = List.of(rows.getFirst().split(","));
        int seconds = header.indexOf("seconds");
        int rate = header.indexOf("samples_per_second");
        return rows.stream().map(r -> {
            String[] f = r.split(",", -1);
            List<String> kept = new ArrayList<>();
            for (int i = 0; i < f.length; i++) {
                if (i != seconds && i != rate) {
                    kept.add(f[i]);
                }
            }
            return String.join(",", kept);
        }).toList();
    }

    @Test
    void aFullDiskStopsTheRunNamingTheFileAndTheLastCheckpointResumes() throws IOException {
        Path whole = dir.resolve("whole");
        MainTest.run(0, args(whole).toArray(String[]::new));
        Path run = dir.resolve("run");
        Path ckpt = run.resolve(TrainCommand.CHECKPOINT).toAbsolutePath();
        AtomicInteger writes = new AtomicInteger();
        AtomicFiles.simulateFullDisk(p -> p.toAbsolutePath().equals(ckpt) && writes.incrementAndGet() == 25);
        String error;
        try {
            error = MainTest.refusal(args(run).toArray(String[]::new));
        } finally {
            AtomicFiles.simulateFullDisk(null);
        }
        assertTrue(error.contains("could not write " + run.resolve(TrainCommand.CHECKPOINT)), error);
        assertTrue(error.contains("No space left on device"), error);
        assertEquals("24", SafeTensors.load(ckpt).metadata().get("step"), "the previous checkpoint is intact");
        try (Stream<Path> files = Files.list(run)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList());
        }
        String out = MainTest.run(0, "train", "--resume", run.toString(), "--data-dir", data.toString());
        assertTrue(out.contains("resuming " + run + " after epoch 2 (step 24), 4 batches into epoch 3"), out);
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")),
                Files.readAllBytes(run.resolve("model.safetensors")));
    }

    @Test
    void aSecondRunInTheFolderIsRefusedNamingTheHolderAndADeadRunsLockDoesNotBlock() throws IOException {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve(RunLock.FILE), "pid 2147483647 on elsewhere since 2026-01-01T00:00:00Z\n");
        MainTest.run(0, args(run).toArray(String[]::new)); // the lock a killed process leaves: its file, no OS lock
        try (RunLock held = RunLock.acquire(run, "--out")) {
            String pid = "pid " + ProcessHandle.current().pid() + " on ";
            String fresh = MainTest.refusal(args(run).toArray(String[]::new));
            assertTrue(fresh.contains(run + " is in use by another run (" + pid), fresh);
            assertTrue(fresh.contains(" since 20"), fresh);
            assertTrue(fresh.contains("give --out another folder"), fresh);
            String resumed = MainTest.refusal("train", "--resume", run.toString(), "--data-dir", data.toString());
            assertTrue(resumed.contains("in use by another run (" + pid), resumed);
            String distill = MainTest.refusal("distill", "--teacher", run.toString(), "--data-dir", data.toString(),
                    "--out", run.toString());
            assertTrue(distill.contains("in use by another run (" + pid), distill);
        }
        String out = MainTest.run(0, "train", "--resume", run.toString(), "--data-dir", data.toString());
        assertTrue(out.contains("resuming"), out);
    }

    @Test
    void checkpointSettingsAreWrittenOnlyWhenSetAndRefusedWhereNotHonoured() throws IOException {
        RunConfig plain = RunConfig.parse(Files.readString(writeConfig("plain")), "plain");
        assertEquals(List.of(0L, 0.0), List.of(plain.checkpointEvery(), plain.checkpointMinutes()));
        assertTrue(!plain.toJson().contains("checkpoint"), plain.toJson());
        RunConfig set = RunConfig.parse(Files.readString(writeConfig("set", "--checkpoint-every", "50",
                "--checkpoint-minutes", "2.5")), "set");
        assertEquals(List.of(50L, 2.5), List.of(set.checkpointEvery(), set.checkpointMinutes()));
        assertEquals(new descent.train.CheckpointInterval(50, 2.5), set.checkpointInterval());

        String negative = MainTest.refusal("train", "--data-dir", data.toString(), "--out", dir.resolve("n").toString(),
                "--checkpoint-every", "-1");
        assertTrue(negative.contains("--checkpoint-every takes a number of steps"), negative);
        String fullBatch = MainTest.refusal("train", "--data-dir", data.toString(), "--out", dir.resolve("f").toString(),
                "--optimizer", "lbfgs", "--checkpoint-every", "5");
        assertTrue(fullBatch.contains("--checkpoint-every has no place in it"), fullBatch);
        String distill = MainTest.refusal("distill", "--teacher", dir.toString(), "--data-dir", data.toString(),
                "--out", dir.resolve("d").toString(), "--checkpoint-minutes", "1");
        assertTrue(distill.contains("distill does not support --checkpoint-every, --checkpoint-minutes"), distill);
    }

    /** The config.json a one-epoch run with {@code more} options writes. */
    private Path writeConfig(String name, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data-dir", data.toString(), "--out",
                dir.resolve(name).toString(), "--epochs", "1", "--hidden", "4", "--threads", "1"));
        a.addAll(List.of(more));
        MainTest.run(0, a.toArray(String[]::new));
        return dir.resolve(name).resolve("config.json");
    }
}
