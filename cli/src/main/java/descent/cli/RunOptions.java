package descent.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of the commands that train ({@code train}, {@code experiment}): the data and threads
 * of {@link DataOptions}, the seed and the output folder. The defaults differ by command, so the
 * values are null when not given and each command applies its own.
 */
public final class RunOptions extends DataOptions {

    @Option(names = "--seed", description = "Seed of every random choice, such as the initial weights and the data "
            + "order (default: 1 for train, 0 for experiment).")
    Long seed;

    @Option(names = "--out", description = "Folder for the results (default: runs/DATASET-TIMESTAMP for train, runs/lab "
            + "for experiment).")
    Path out;

    public long seedOr(long byDefault) {
        return seed != null ? seed : byDefault;
    }

    public Path outOr(Path byDefault) {
        return out != null ? out : byDefault;
    }
}
