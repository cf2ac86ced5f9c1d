package descent.spark;

import descent.io.SafeTensors;
import descent.tensor.NdArray;
import descent.train.EpochMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of a data-parallel run after a round, in one safetensors file written atomically by
 * the driver: the averaged model ({@code model/NAME}) and optimizer state ({@code optimizer/NAME}),
 * and as metadata the format, the settings that fix the rounds (seed, partitions, batch size,
 * sync-every), the round, the finished epochs' history and the sums of the epoch in progress.
 * Nothing else is needed: every random choice derives from the seed, the round and the partition.
 */
final class SparkCheckpoint {

    static final String FORMAT = "descent-spark-checkpoint-1";

    private SparkCheckpoint() {}

    static void write(Path file, DataParallel run) throws IOException {
        Map<String, NdArray> tensors = new LinkedHashMap<>();
        run.model().stateDict().forEach((k, v) -> tensors.put(LocalSteps.MODEL + k, v));
        run.optimizerState().forEach((k, v) -> tensors.put(LocalSteps.OPTIMIZER + k, v));
        Map<String, String> text = new LinkedHashMap<>();
        text.put("format", FORMAT);
        text.putAll(settings(run.setup()));
        text.put("round", Long.toString(run.round()));
        text.put("history", EpochMetrics.csv(run.history()));
        double[] sums = run.epochSums();
        for (int i = 0; i < sums.length; i++) {
            text.put("epoch_sum." + i, Double.toHexString(sums[i]));
        }
        SafeTensors.save(file, tensors, text);
    }

    static void restore(Path file, DataParallel run) throws IOException {
        SafeTensors.Contents c = SafeTensors.load(file);
        Map<String, String> text = c.metadata();
        if (!FORMAT.equals(text.get("format"))) {
            throw new IOException(file + ": not a checkpoint of Descent on Spark (format is " + text.get("format")
                    + ", expected " + FORMAT + ")");
        }
        settings(run.setup()).forEach((k, v) -> {
            if (!v.equals(text.get(k))) {
                throw new IllegalArgumentException(file + " was written by a run with " + k + " " + text.get(k)
                        + ", this run has " + v + "; resuming would not continue that run");
            }
        });
        double[] sums = new double[run.epochSums().length];
        for (int i = 0; i < sums.length; i++) {
            sums[i] = Double.parseDouble(text.get("epoch_sum." + i));
        }
        List<EpochMetrics> history = EpochMetrics.parseCsvTable(text.getOrDefault("history", ""));
        run.restore(Long.parseLong(text.get("round")), LocalSteps.prefixed(c.tensors(), LocalSteps.MODEL),
                LocalSteps.prefixed(c.tensors(), LocalSteps.OPTIMIZER), history, sums);
    }

    /** The settings a resumed run must share with the one that wrote the checkpoint. */
    private static Map<String, String> settings(DataParallel.Setup s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("seed", Long.toString(s.seed()));
        m.put("partitions", Integer.toString(s.partitions()));
        m.put("batch_size", Integer.toString(s.batchSize()));
        m.put("sync_every", Integer.toString(s.syncEvery()));
        return m;
    }
}
