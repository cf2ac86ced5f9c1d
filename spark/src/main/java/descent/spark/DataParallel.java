package descent.spark;

import descent.data.Dataset;
import descent.nn.Module;
import descent.optim.Optimizer;
import descent.tensor.NdArray;
import descent.train.EpochMetrics;
import descent.train.Evaluation;
import descent.train.LossFunction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Data-parallel minibatch training on a Spark cluster. The training set is split into partitions
 * once and cached on the executors. Each round, every partition takes {@code syncEvery} local
 * steps from the current parameters and optimizer state, and the driver averages what the
 * partitions return (parameters, optimizer state) with one {@code treeAggregate} and broadcasts
 * it for the next round. With {@code syncEvery = 1} and plain SGD (or SGD with momentum) a round
 * is exactly one synchronous SGD step on a batch {@code partitions} times larger; a larger
 * {@code syncEvery} trades staleness for fewer rounds (local SGD).
 *
 * <p>An epoch is the rounds in which every partition passes once over its shard in full batches
 * (what is left over of each shard waits for the next epoch's shuffle). Sums over partitions are
 * taken in a fixed tree ({@link TreeSum}) and all randomness derives from the seed, the round and
 * the partition, so a run gives the same bits whatever executors it gets, when Spark retries a
 * task, and when it is resumed from a checkpoint, which the driver writes atomically after every
 * round.
 */
public final class DataParallel {

    /**
     * What to train, and how.
     *
     * @param partitions   how many shards the training set is split into (the workers of synchronous SGD)
     * @param batchSize    each partition's minibatch
     * @param syncEvery    local steps per round (K)
     * @param augment      an {@link descent.data.Augmentation} spec applied to training batches, or null
     * @param roundTimeoutSeconds a round that takes longer stops the run with an error (a cluster that lost all workers)
     */
    public record Setup(ModelFactory model, OptimizerFactory optimizer, int partitions, int batchSize, int syncEvery,
                        int epochs, long seed, String augment, long roundTimeoutSeconds) {
        public Setup {
            if (partitions < 1 || batchSize < 1 || syncEvery < 1 || epochs < 1 || roundTimeoutSeconds < 1) {
                throw new IllegalArgumentException("partitions, batch size, sync-every, epochs and the round timeout must "
                        + "be positive, got " + partitions + ", " + batchSize + ", " + syncEvery + ", " + epochs + ", "
                        + roundTimeoutSeconds);
            }
        }
    }

    private final JavaSparkContext sc;
    private final Setup setup;
    private final Dataset test;
    private final JavaRDD<Shard> shards;
    private final LocalSteps work;
    private final Module model;
    private final long roundsPerEpoch;
    /** The average of the partitions' optimizer states after the last round (empty before the first). */
    private Map<String, NdArray> optimizerState = Map.of();
    private final List<EpochMetrics> history = new ArrayList<>();
    private long round;
    /** Sums of the epoch in progress: loss × examples, correct, examples, and its seconds so far. */
    private final double[] epochSums = new double[4];

    /** {@code test} (may be null) is evaluated on the driver after each epoch. */
    public DataParallel(JavaSparkContext sc, Setup setup, Dataset train, Dataset test) {
        this.sc = sc;
        this.setup = setup;
        this.test = test;
        List<Shard> split = Shard.split(train, setup.partitions());
        int smallest = split.stream().mapToInt(Shard::size).min().orElseThrow();
        long batches = smallest / setup.batchSize();
        this.roundsPerEpoch = batches / setup.syncEvery();
        if (roundsPerEpoch < 1) {
            throw new IllegalArgumentException("each of the " + setup.partitions() + " partitions holds " + smallest
                    + " examples, too few for one round of " + setup.syncEvery() + " batches of " + setup.batchSize()
                    + ": use fewer partitions, smaller batches or a smaller --sync-every");
        }
        this.shards = Shard.distribute(sc, split);
        this.work = new LocalSteps(setup.model(), setup.optimizer(), setup.batchSize(), setup.syncEvery(),
                (int) roundsPerEpoch, setup.seed(), setup.augment());
        this.model = setup.model().create();
    }

    /** The driver's copy of the model, holding the averaged parameters. */
    public Module model() {
        return model;
    }

    public List<EpochMetrics> history() {
        return Collections.unmodifiableList(history);
    }

    /** Rounds completed. */
    public long round() {
        return round;
    }

    public long roundsPerEpoch() {
        return roundsPerEpoch;
    }

    /** Optimizer steps each partition takes over the whole run (for schedules that span it). */
    public static long totalSteps(Dataset train, Setup s) {
        long smallest = train.size() / s.partitions();
        return smallest / s.batchSize() / s.syncEvery() * s.syncEvery() * s.epochs();
    }

    /**
     * Runs the remaining rounds; after each, {@code checkpoint} (if not null) is rewritten, and after
     * each epoch {@code onEpoch} hears its metrics.
     */
    public List<EpochMetrics> fit(Path checkpoint, Consumer<EpochMetrics> onEpoch) throws IOException {
        ExecutorService waiter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "descent-spark-round");
            t.setDaemon(true);
            return t;
        });
        try {
            long total = roundsPerEpoch * setup.epochs();
            while (round < total) {
                long start = System.nanoTime();
                runRound(waiter);
                epochSums[3] += (System.nanoTime() - start) / 1e9;
                if (round % roundsPerEpoch == 0) {
                    EpochMetrics m = endEpoch();
                    onEpoch.accept(m);
                }
                if (checkpoint != null) {
                    SparkCheckpoint.write(checkpoint, this);
                }
            }
        } finally {
            waiter.shutdownNow();
        }
        return history();
    }

    private void runRound(ExecutorService waiter) throws IOException {
        Map<String, NdArray> start = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> start.put(LocalSteps.MODEL + k, v));
        optimizerState.forEach((k, v) -> start.put(LocalSteps.OPTIMIZER + k, v));
        Broadcast<Packed> state = sc.broadcast(Packed.of(start));
        long r = round;
        LocalSteps steps = work;
        String group = "descent-round-" + r + "-" + System.nanoTime();
        Future<TreeSum> job = waiter.submit(() -> {
            sc.setJobGroup(group, "Descent round " + (r + 1), true);
            try {
                return shards.mapPartitions((Iterator<Shard> it) -> {
                    Shard s = it.next();
                    return List.of(new TreeSum().add(s.index(), steps.run(s, r, state.value().toMap()))).iterator();
                }).treeAggregate(new TreeSum(), TreeSum::merge, TreeSum::merge);
            } finally {
                sc.clearJobGroup();
            }
        });
        TreeSum sum;
        try {
            sum = job.get(setup.roundTimeoutSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            sc.cancelJobGroup(group);
            throw new IOException("round " + (round + 1) + " did not finish within " + setup.roundTimeoutSeconds()
                    + " s; the cluster has " + executors() + " live executors. The last finished round is in the "
                    + "checkpoint: continue with --resume once workers are back");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted in round " + (round + 1), e);
        } catch (ExecutionException e) {
            throw new IOException("round " + (round + 1) + " failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            state.destroy();
        }
        if (sum.count() != setup.partitions()) {
            throw new IllegalStateException("round " + (round + 1) + " heard from " + sum.count() + " of "
                    + setup.partitions() + " partitions");
        }
        Map<String, NdArray> total = sum.total().toMap();
        double n = setup.partitions();
        Map<String, NdArray> modelState = new LinkedHashMap<>();
        Map<String, NdArray> optimizer = new LinkedHashMap<>();
        total.forEach((k, v) -> {
            if (k.startsWith(LocalSteps.MODEL)) {
                modelState.put(k.substring(LocalSteps.MODEL.length()), v.mul(1 / n));
            } else if (k.startsWith(LocalSteps.OPTIMIZER)) {
                optimizer.put(k.substring(LocalSteps.OPTIMIZER.length()), v.mul(1 / n));
            }
        });
        model.loadStateDict(modelState, true);
        optimizerState = optimizer;
        epochSums[0] += total.get(LocalSteps.LOSS).item();
        epochSums[1] += total.get(LocalSteps.CORRECT).item();
        epochSums[2] += total.get(LocalSteps.EXAMPLES).item();
        round++;
    }

    private int executors() {
        return Math.max(0, sc.sc().getExecutorMemoryStatus().size() - (sc.isLocal() ? 0 : 1));
    }

    private EpochMetrics endEpoch() {
        int number = (int) (round / roundsPerEpoch);
        Evaluation t = test == null ? null : Evaluation.of(model, test, LossFunction.crossEntropy(), 1000);
        EpochMetrics m = new EpochMetrics(number, round * setup.syncEvery(), epochSums[0] / epochSums[2],
                epochSums[1] / epochSums[2], Double.NaN, Double.NaN, t == null ? Double.NaN : t.loss(),
                t == null ? Double.NaN : t.accuracy(), learningRate(), epochSums[3], epochSums[2] / epochSums[3]);
        history.add(m);
        java.util.Arrays.fill(epochSums, 0);
        return m;
    }

    /** The learning rate of the last local step, from an optimizer holding the averaged state. */
    private double learningRate() {
        Optimizer o = setup.optimizer().create(model.trainableParameters());
        if (!optimizerState.isEmpty()) {
            o.loadStateDict(optimizerState);
        }
        return o.learningRate();
    }

    // ---------------------------------------------------------------- for SparkCheckpoint

    Setup setup() {
        return setup;
    }

    Map<String, NdArray> optimizerState() {
        return optimizerState;
    }

    double[] epochSums() {
        return epochSums;
    }

    void restore(long round, Map<String, NdArray> modelState, Map<String, NdArray> optimizer, List<EpochMetrics> done,
                 double[] sums) {
        model.loadStateDict(modelState, true);
        this.optimizerState = optimizer;
        this.round = round;
        history.clear();
        history.addAll(done);
        System.arraycopy(sums, 0, epochSums, 0, epochSums.length);
    }

    /** Puts the run in the state a checkpoint recorded; {@link #fit} then continues from there. */
    public void resume(Path checkpoint) throws IOException {
        SparkCheckpoint.restore(checkpoint, this);
    }
}
