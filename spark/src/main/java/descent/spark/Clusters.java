package descent.spark;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Spark contexts for Descent: an in-process {@code local[N]} Spark, or a standalone cluster's master URL. */
public final class Clusters {

    private Clusters() {}

    /**
     * A context on {@code master} ({@code local[2]}, {@code spark://HOST:PORT}, ...). Everything
     * binds to the loopback address unless {@code SPARK_LOCAL_IP} says otherwise; executors get the
     * driver's class path (the Descent jars and classes) and do not wait for data locality, since
     * every round reads each cached partition once.
     */
    public static JavaSparkContext context(String master, String appName) {
        String host = System.getenv().getOrDefault("SPARK_LOCAL_IP", "127.0.0.1");
        SparkConf conf = new SparkConf().setMaster(master).setAppName(appName)
                .set("spark.driver.host", host)
                .set("spark.driver.bindAddress", host)
                .set("spark.ui.enabled", "false")
                .set("spark.locality.wait", "0")
                .set("spark.task.maxFailures", "8")
                .set("spark.executor.memory", System.getProperty("descent.spark.executorMemory", "1g"));
        if (!master.startsWith("local")) {
            // Jars travel through the driver's file server; class folders (a test run) are read in place.
            List<String> jars = new ArrayList<>();
            List<String> folders = new ArrayList<>();
            for (Path p : descentClassPath()) {
                (Files.isDirectory(p) ? folders : jars).add(p.toString());
            }
            conf.setJars(jars.toArray(String[]::new));
            // The kernels use the Vector API, an incubator module that each executor JVM must name.
            conf.set("spark.executor.extraJavaOptions", "--add-modules jdk.incubator.vector");
            if (!folders.isEmpty()) {
                conf.set("spark.executor.extraClassPath", String.join(File.pathSeparator, folders));
            }
        }
        return new JavaSparkContext(conf);
    }

    /** The entries of this JVM's class path that hold Descent's own classes (jars or class folders). */
    static List<Path> descentClassPath() {
        List<Path> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            String name = p.getFileName() == null ? "" : p.getFileName().toString();
            if (name.startsWith("descent-") || name.startsWith("picocli-") || Files.isDirectory(p)) {
                out.add(p);
            }
        }
        return out;
    }
}
