package descent.spark.cli;

import descent.io.AtomicFiles;
import descent.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The settings of a Spark run that fix its rounds, in the run folder's {@code spark.json} (which the
 * end of the run rewrites with the cluster's shape and the application id as well).
 */
record SparkSettings(int partitions, int syncEvery) {

    static final String FILE = "spark.json";

    SparkSettings {
        if (partitions < 1 || syncEvery < 1) {
            throw new IllegalArgumentException("--partitions and --sync-every must be at least 1, got " + partitions
                    + " and " + syncEvery);
        }
    }

    void write(Path file) throws IOException {
        AtomicFiles.writeString(file, "{\n  \"partitions\": " + partitions + ",\n  \"sync_every\": " + syncEvery + "\n}\n");
    }

    static SparkSettings read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist: not a run folder written by ./descent spark train");
        }
        if (!(Json.read(Files.readString(file), file.toString()) instanceof Map<?, ?> m)
                || !(m.get("partitions") instanceof Number p) || !(m.get("sync_every") instanceof Number k)) {
            throw new IOException(file + ": expected an object with partitions and sync_every");
        }
        return new SparkSettings(p.intValue(), k.intValue());
    }
}
