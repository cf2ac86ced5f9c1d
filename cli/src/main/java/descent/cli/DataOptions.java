package descent.cli;

import descent.kernels.Parallel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of every command that loads a data set and computes on it: where the IDX files are
 * and how many threads the kernels use. {@link RunOptions} adds the seed and the output folder for
 * the commands that train.
 */
public class DataOptions {

    @Option(names = "--data-dir", description = "Folder with the data set's IDX files (raw or .gz); default: "
            + "downloaded into the user cache.")
    Path dataDir;

    @Option(names = "--threads", description = "Compute threads (default: the number of cores).")
    Integer threads;

    public int threadsOr(int byDefault) {
        return threads != null ? threads : byDefault;
    }

    /** Where the IDX files are, or null for the cached download. */
    public Path dataDir() {
        return dataDir;
    }

    /** Sets the kernels' thread count if {@code --threads} was given. */
    public void applyThreads() {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
    }
}
