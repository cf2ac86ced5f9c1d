package descent.spark.cli;

import descent.spark.StandaloneCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs a Spark standalone cluster on 127.0.0.1 in the foreground (a Master and Workers, each its own
 * process, from Spark's jars), for {@code spark train --master spark://...}; Ctrl-C stops it all.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Start a Spark standalone cluster on 127.0.0.1 (a Master and Workers as separate processes) "
                + "and keep it up until Ctrl-C.", "Then, in another shell: ./descent spark train --master URL"})
final class SparkClusterCommand implements Callable<Integer> {

    @Option(names = "--workers", description = "Workers (default: ${DEFAULT-VALUE}).")
    int workers = 2;

    @Option(names = "--cores", description = "Cores per worker (default: ${DEFAULT-VALUE}).")
    int cores = 1;

    @Option(names = "--memory", description = "Memory per worker (default: ${DEFAULT-VALUE}).")
    String memory = "1g";

    @Option(names = "--dir", description = "Logs and scratch space (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("runs", "spark-cluster");

    @Override
    public Integer call() throws Exception {
        StandaloneCluster cluster = StandaloneCluster.start(Files.createDirectories(dir), workers, cores, memory,
                Duration.ofSeconds(120));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }));
        System.out.printf("Spark standalone cluster up: %s (%d workers × %d cores; logs in %s). Ctrl-C stops it.%n",
                cluster.masterUrl(), workers, cores, dir);
        stopped.await();
        return 0;
    }
}
