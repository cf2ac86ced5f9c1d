package descent.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.data.Dataset;
import descent.optim.Optimizers;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/**
 * Training through a real standalone cluster on 127.0.0.1 (a Master and two Workers, each a process
 * of its own), surviving an executor killed mid-training with the same weights as an undisturbed
 * run, and stopping with a clear message, not hanging, when every worker is gone.
 */
class StandaloneClusterTest {

    static final OptimizerFactory MOMENTUM = p -> Optimizers.momentum(0.05, 0.9).over(p);

    static DataParallel.Setup setup(long roundTimeout) {
        return new DataParallel.Setup(DataParallelTest.MLP32, MOMENTUM, 4, 16, 1, 3, 21, null, roundTimeout);
    }

    @Test
    void aKilledExecutorCostsTimeButNotABitOfTheResult() throws Exception {
        Dataset train = DataParallelTest.blobs(320, 5);
        Dataset test = DataParallelTest.blobs(60, 6);
        Path dir = Files.createDirectories(Path.of("target", "cluster-test"));

        Map<String, NdArray> expected;
        JavaSparkContext local = Clusters.context("local[2]", "descent-reference");
        try {
            DataParallel reference = new DataParallel(local, setup(600), train, test);
            reference.fit(null, m -> { });
            expected = reference.model().stateDict();
        } finally {
            local.stop();
        }

        try (StandaloneCluster cluster = StandaloneCluster.start(dir, 2, 1, "1g", Duration.ofSeconds(90))) {
            JavaSparkContext sc = Clusters.context(cluster.masterUrl(), "descent-cluster-test");
            try {
                DataParallel run = new DataParallel(sc, setup(600), train, test);
                AtomicInteger killed = new AtomicInteger();
                run.fit(null, m -> {
                    if (m.epoch() == 1) {
                        List<ProcessHandle> executors = cluster.executors(0);
                        assertFalse(executors.isEmpty(), "worker 0 runs an executor");
                        executors.forEach(h -> {
                            if (h.destroyForcibly()) {
                                killed.incrementAndGet();
                            }
                        });
                    }
                });
                assertEquals(1, killed.get());
                Map<String, NdArray> actual = run.model().stateDict();
                expected.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), actual.get(k).toDoubleArray(), 0, k));
                assertTrue(run.history().getLast().testAccuracy() > 0.8, run.history().toString());

                // Every worker gone: the next round stops the run with a message instead of waiting forever.
                DataParallel orphaned = new DataParallel(sc, setup(15), train, test);
                IOException e = assertThrows(IOException.class, () -> orphaned.fit(null, m -> {
                    cluster.stopWorker(0);
                    cluster.stopWorker(1);
                }));
                assertTrue(e.getMessage().contains("did not finish within 15 s") && e.getMessage().contains("--resume"),
                        e.getMessage());
            } finally {
                sc.stop();
            }
        }
    }
}
