package descent.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster on 127.0.0.1 from the jars on this JVM's class path: a Master and
 * Workers as separate processes, each Worker launching executor processes for the applications that
 * connect. Workers find Spark's jars through a {@code SPARK_HOME} whose {@code jars/} links to them
 * (without one, every executor launch fails with "Cannot find any build directories"). Logs and
 * scratch space stay under the folder given; {@link #close} stops every process it started.
 */
public final class StandaloneCluster implements AutoCloseable {

    private static final Pattern ALIVE = Pattern.compile("\"state\"\\s*:\\s*\"ALIVE\"");
    /** Spark's warning when a port it was given is taken: it moves to the next one. */
    private static final Pattern MOVED = Pattern.compile("Service '(\\w+)' could not bind on port \\d+\\. Attempting port (\\d+)");

    private final Path dir;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private int masterPort;
    private int uiPort;

    private StandaloneCluster(Path dir, Process master, int masterPort, int uiPort) {
        this.dir = dir;
        this.master = master;
        this.masterPort = masterPort;
        this.uiPort = uiPort;
    }

    /** Starts a Master and {@code workers} Workers of {@code cores} cores each and waits until all are alive. */
    public static StandaloneCluster start(Path dir, int workers, int cores, String workerMemory, Duration timeout)
            throws IOException {
        Path home = sparkHome(dir.toAbsolutePath());
        int[] ports = freePorts(2); // the RPC port and the UI's, distinct
        int port = ports[0];
        int ui = ports[1];
        Process m = launch(home, dir.resolve("master.log"), List.of("org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", Integer.toString(ui)));
        StandaloneCluster c = new StandaloneCluster(dir, m, port, ui);
        try {
            c.awaitMaster(timeout);
            for (int i = 0; i < workers; i++) {
                c.addWorker(cores, workerMemory);
            }
            c.awaitAlive(workers, timeout);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Starts one more Worker; returns its index. */
    public int addWorker(int cores, String memory) throws IOException {
        int i = workers.size();
        Path work = Files.createDirectories(dir.resolve("worker-" + i));
        workers.add(launch(dir.toAbsolutePath().resolve("sparkhome"), dir.resolve("worker-" + i + ".log"), List.of(
                "org.apache.spark.deploy.worker.Worker", masterUrl(), "--host", "127.0.0.1", "--port", "0",
                "--webui-port", "0", "--cores", Integer.toString(cores), "--memory", memory,
                "--work-dir", work.toAbsolutePath().toString())));
        return i;
    }

    public String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** Waits until the Master accepts connections, following it to other ports if the chosen ones were taken. */
    private void awaitMaster(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!master.isAlive()) {
                throw new IOException("the Spark Master exited (" + master.exitValue() + "); see " + dir.resolve("master.log"));
            }
            followMovedPorts();
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", masterPort)) {
                return;
            } catch (IOException e) {
                sleep(100);
            }
        }
        throw new IOException("the Spark Master did not listen on " + masterUrl() + " within " + timeout.toSeconds()
                + " s; see " + dir.resolve("master.log"));
    }

    private void followMovedPorts() throws IOException {
        Path log = dir.resolve("master.log");
        if (!Files.exists(log)) {
            return;
        }
        Matcher m = MOVED.matcher(Files.readString(log));
        while (m.find()) {
            switch (m.group(1)) {
                case "sparkMaster" -> masterPort = Integer.parseInt(m.group(2));
                case "MasterUI" -> uiPort = Integer.parseInt(m.group(2));
                default -> { }
            }
        }
    }

    /** Waits until the Master lists {@code n} live Workers. */
    public void awaitAlive(int n, Duration timeout) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        int alive = 0;
        while (System.nanoTime() < deadline) {
            if (!master.isAlive()) {
                throw new IOException("the Spark Master exited (" + master.exitValue() + "); see " + dir.resolve("master.log"));
            }
            followMovedPorts();
            HttpRequest status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uiPort + "/json/"))
                    .timeout(Duration.ofSeconds(5)).build();
            try {
                String body = http.send(status, HttpResponse.BodyHandlers.ofString()).body();
                Matcher matcher = ALIVE.matcher(body);
                alive = 0;
                while (matcher.find()) {
                    alive++;
                }
                if (alive >= n) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the cluster", e);
            }
            sleep(200);
        }
        throw new IOException("the Spark cluster did not have " + n + " live workers within " + timeout.toSeconds()
                + " s (" + alive + " alive); see the logs in " + dir);
    }

    /** The executor processes Worker {@code i} runs now. */
    public List<ProcessHandle> executors(int i) {
        return workers.get(i).toHandle().descendants()
                .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")).toList();
    }

    /** Stops Worker {@code i} and its executors, as a machine that goes away. */
    public void stopWorker(int i) {
        stop(workers.get(i));
        killStrayExecutors();
    }

    @Override
    public void close() {
        workers.forEach(StandaloneCluster::stop);
        killStrayExecutors();
        stop(master);
    }

    /**
     * Executors of this cluster that outlived their Worker (a Worker stopped while it launched one
     * leaves it to init): every process whose command line names this cluster's {@code SPARK_HOME}
     * and no live Worker of it as a parent.
     */
    private void killStrayExecutors() {
        String home = dir.toAbsolutePath().resolve("sparkhome").toString();
        List<ProcessHandle> live = workers.stream().filter(Process::isAlive).map(Process::toHandle).toList();
        ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")
                        && h.info().commandLine().orElse("").contains(home))
                .filter(h -> h.parent().map(parent -> !live.contains(parent)).orElse(true))
                .forEach(ProcessHandle::destroyForcibly);
    }

    /** SIGTERM, then after 10 s SIGKILL, for the process and whatever it started. */
    private static void stop(Process p) {
        List<ProcessHandle> children = p.toHandle().descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(h -> {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        });
    }

    /** {@code dir/sparkhome}: {@code jars/} links to every jar on the class path; executor logs at WARN. */
    private static Path sparkHome(Path dir) throws IOException {
        Path home = dir.resolve("sparkhome");
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path jar = Path.of(entry).toAbsolutePath();
            Path link = jars.resolve(jar.getFileName().toString());
            if (entry.endsWith(".jar") && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, jar);
            }
        }
        Path conf = Files.createDirectories(home.resolve("conf"));
        Files.writeString(conf.resolve("log4j2.properties"), """
                rootLogger.level = warn
                rootLogger.appenderRef.stderr.ref = console
                appender.console.type = Console
                appender.console.name = console
                appender.console.target = SYSTEM_ERR
                appender.console.layout.type = PatternLayout
                appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
                """);
        Files.createDirectories(home.resolve("local"));
        return home;
    }

    private static Process launch(Path home, Path log, List<String> mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-Dlog4j2.configurationFile=" + home.resolve("conf/log4j2.properties"),
                "-Dspark.master.rest.enabled=false", "-cp", home.resolve("jars") + File.separator + "*"));
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_LOCAL_DIRS", home.resolve("local").toString());
        pb.environment().put("JAVA_HOME", Path.of(cmd.getFirst()).getParent().getParent().toString());
        return pb.start();
    }

    /** {@code n} ports free now, all different: the sockets stay open until every port is drawn. */
    private static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        }
    }
}
