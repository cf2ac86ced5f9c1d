package descent.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the fuzz tests share: a file that holds the current input (the loaders read files, so the
 * input goes through one, as a user's would), and the check that an error names that file.
 */
public final class FuzzFile {

    private static final ThreadLocal<Path> DIR = ThreadLocal.withInitial(() -> {
        try {
            // In memory where the system has it: a million inputs through a disk file would be slow.
            Path shm = Path.of("/dev/shm");
            Path d = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "descent-fuzz")
                    : Files.createTempDirectory("descent-fuzz");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    /** The system property that names the test resources folder a seed generator writes into. */
    public static final String SEEDS = "fuzz.seeds";

    private FuzzFile() {}

    /**
     * The folder of {@code test}'s fuzz target {@code method} under the resources folder that
     * {@value #SEEDS} names: Jazzer's inputs folder, which seeds fuzzing and replays in every run.
     */
    public static Path seeds(Class<?> test, String method) throws IOException {
        Path root = Path.of(System.getProperty(SEEDS));
        return Files.createDirectories(root.resolve(test.getPackageName().replace('.', '/'))
                .resolve(test.getSimpleName() + "Inputs").resolve(method));
    }

    /** {@code data} written to {@code name} in this thread's scratch folder (overwritten by the next input). */
    public static Path write(String name, byte[] data) {
        Path file = DIR.get().resolve(name);
        try {
            if (Files.notExists(file)) {
                file.toFile().deleteOnExit(); // registered once: the next input overwrites it
            }
            Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Fails (a finding) unless {@code e}'s message names {@code file}: an error must say which file is wrong. */
    public static void requireNames(Exception e, Path file) {
        requireMentions(e, file.toString());
    }

    /** Fails (a finding) unless {@code e}'s message contains {@code what}. */
    public static void requireMentions(Exception e, String what) {
        if (e.getMessage() == null || !e.getMessage().contains(what)) {
            throw new AssertionError("the error does not name " + what + ": " + e, e);
        }
    }
}
