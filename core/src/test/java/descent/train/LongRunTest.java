package descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.ExampleTransform;
import descent.data.Samplers;
import descent.nn.Activation;
import descent.nn.Flatten;
import descent.nn.Linear;
import descent.nn.Sequential;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resources over a long run: the heap after each epoch's collection stays flat for 100 epochs,
 * threads and file descriptors come back to their count, and the data loader's thread ends however
 * training ends, a failure in it reaching the trainer with its cause.
 */
class LongRunTest {

    @TempDir
    Path dir;

    private static Sequential model() {
        return new Sequential(new Flatten(), new Linear(36, 16, new SplitMix64(1)), Activation.relu(),
                new Linear(16, 3, new SplitMix64(2)));
    }

    private Trainer trainer(Dataset d, ExampleTransform augment, int epochs, List<Callback> callbacks) {
        Sequential m = model();
        Optimizer opt = Optimizers.adam(1e-2).over(m.trainableParameters());
        DataLoader loader = new DataLoader(d, 16, false, Samplers.shuffled(), augment);
        return new Trainer(Trainer.Setup.of(m, opt, loader).withValidation(d).withEpochs(epochs).withSeed(3)
                .withCallbacks(callbacks).withCheckpoint(dir.resolve("run.safetensors")));
    }

    /** The data loader's background threads alive now. */
    private static long loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("descent-data") && t.isAlive()).count();
    }

    /** Open file descriptors of this process (Linux's /proc/self/fd), or -1 where there is none. */
    private static int openFiles() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /**
     * The heap in use after a full collection (the test runs in the core module, which reads no
     * java.management, so the Runtime's figures stand in for MemoryMXBean's).
     */
    private static long usedHeapAfterCollection() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static int liveThreads() {
        return Thread.getAllStackTraces().size();
    }

    @Test
    void aHundredEpochsKeepTheHeapThreadsAndFilesFlat() throws IOException {
        Dataset d = NonFiniteTest.blobs(64, 1);
        trainer(d, null, 2, List.of()).fit(); // warm-up: classes loaded, kernel threads started
        int threadsBefore = liveThreads();
        int filesBefore = openFiles();
        List<Long> heap = new ArrayList<>();
        Callback measure = new Callback() {
            @Override
            public void onEpochEnd(Trainer t, EpochMetrics m) {
                heap.add(usedHeapAfterCollection());
            }
        };
        Trainer t = trainer(d, (x, off, rng) -> x[off] += (float) (0.01 * rng.nextGaussian()), 100, List.of(measure));
        t.fit();
        assertEquals(100, heap.size());
        assertEquals(0, loaderThreads());
        int threadsAfter = liveThreads();
        int filesAfter = openFiles();
        long first = heap.subList(0, 10).stream().mapToLong(Long::longValue).max().orElseThrow();
        long last = heap.subList(90, 100).stream().mapToLong(Long::longValue).max().orElseThrow();
        long min = heap.stream().mapToLong(Long::longValue).min().orElseThrow();
        long max = heap.stream().mapToLong(Long::longValue).max().orElseThrow();
        System.out.printf(Locale.ROOT, "100 epochs: heap after GC %.2f MB (epochs 1-10, max) -> %.2f MB (epochs 91-100, "
                        + "max); range %.2f-%.2f MB; threads %d -> %d; open files %d -> %d%n", first / 1e6, last / 1e6,
                min / 1e6, max / 1e6, threadsBefore, threadsAfter, filesBefore, filesAfter);
        // A leak of one checkpoint's or one epoch's arrays per epoch would add ≥ 100 × 10 kB; allow 2 MB of noise.
        assertTrue(last - first < 2_000_000, "heap grew from " + first + " to " + last + " bytes: " + heap);
        assertTrue(threadsAfter <= threadsBefore, "threads " + threadsBefore + " -> " + threadsAfter);
        assertEquals(filesBefore, filesAfter, "open file descriptors");
    }

    @Test
    void aFailureInTheLoaderThreadReachesTheTrainerWithItsCause() {
        AtomicInteger examples = new AtomicInteger();
        ExampleTransform breaksMidEpoch = (x, off, rng) -> {
            if (examples.incrementAndGet() == 100) { // the 100th example: epoch 2, batch 3
                throw new IllegalArgumentException("corrupt image 100");
            }
        };
        Trainer t = trainer(NonFiniteTest.blobs(64, 1), breaksMidEpoch, 5, List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class, t::fit);
        assertTrue(e.getMessage().startsWith("the data loader failed preparing batch 3 of 4 (blobs)"), e.getMessage());
        IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertEquals("corrupt image 100", cause.getMessage());
        assertEquals(1, t.epoch());
        assertEquals(0, loaderThreads(), "the loader's thread ended with the failed epoch");
    }

    @Test
    void theLoaderThreadEndsWhenTrainingStopsOnANonFiniteStep() {
        Trainer t = trainer(NonFiniteTest.corrupted(64, 10), null, 3, List.of()); // a NaN feature
        assertThrows(NonFiniteException.class, t::fit);
        assertEquals(0, loaderThreads());
    }
}
