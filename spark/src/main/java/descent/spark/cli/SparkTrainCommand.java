package descent.spark.cli;

import descent.cli.DatasetStore;
import descent.cli.ExitCodes;
import descent.cli.OptimizerNames;
import descent.cli.RunConfig;
import descent.cli.RunOptions;
import descent.cli.RunReport;
import descent.cli.RunLock;
import descent.cli.TrainOptions;
import descent.data.Dataset;
import descent.data.Mnist;
import descent.io.AtomicFiles;
import descent.io.Json;
import descent.io.SafeTensors;
import descent.kernels.Parallel;
import descent.nn.Module;
import descent.spark.Clusters;
import descent.spark.DataParallel;
import descent.spark.FullBatchRun;
import descent.train.EpochMetrics;
import descent.train.Evaluation;
import descent.train.LossFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./descent train} on a Spark cluster: the same model, optimizer and run folder, trained
 * data-parallel (the minibatch optimizers: every partition takes --sync-every local steps per round,
 * then parameters and optimizer state are averaged) or full-batch (lbfgs, cg, bfgs, newton-cg: each loss,
 * gradient and Hessian-vector product is one aggregate over all partitions; one iteration per epoch).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an MLP on MNIST or Fashion-MNIST on Spark and write a run folder: train's files "
                + "(config.json, history.csv, metrics.json, model.safetensors, checkpoint.safetensors, report.html) "
                + "and spark.json (the cluster and the application id).",
            "--master local[2] (the default) runs Spark in this process; spark://HOST:PORT uses a standalone cluster."})
final class SparkTrainCommand implements Callable<Integer> {

    static final String CHECKPOINT = "checkpoint.safetensors";
    static final List<String> FULL_BATCH = OptimizerNames.FULL_BATCH_TRAINING;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--master", description = "Spark master URL: local[N] or spark://HOST:PORT (default: ${DEFAULT-VALUE}).")
    String master = "local[2]";

    @Option(names = "--partitions", description = "Partitions of the training set: the workers of synchronous SGD "
            + "(default: N of local[N], else 2).")
    Integer partitions;

    @Option(names = "--sync-every", paramLabel = "K", description = "Local steps per round before parameters and "
            + "optimizer state are averaged; 1 is synchronous SGD on a batch partitions times larger (default: ${DEFAULT-VALUE}).")
    int syncEvery = 1;

    @Option(names = "--round-timeout", paramLabel = "SECONDS", description = "Stop with an error when a round takes "
            + "longer, e.g. when the cluster has lost every worker (default: ${DEFAULT-VALUE}).")
    long roundTimeout = 600;

    @CommandLine.Mixin
    TrainOptions options;

    @CommandLine.Mixin
    RunOptions common;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its last round's "
            + "checkpoint, with its settings (only --master, --data-dir and --round-timeout may be given); bit-exact.")
    Path resume;

    @Override
    public Integer call() throws IOException {
        RunConfig config;
        Path dir;
        SparkSettings spark;
        if (resume != null) {
            rejectOptionsBesideResume();
            dir = resume;
            config = RunConfig.read(dir.resolve("config.json"));
            spark = SparkSettings.read(dir.resolve(SparkSettings.FILE));
            if (!Files.isRegularFile(dir.resolve(CHECKPOINT))) {
                throw new IOException(dir.resolve(CHECKPOINT) + " does not exist: the run ended before its first round");
            }
        } else {
            config = options.config(common);
            refuseWhatSparkDoesNotHonour(config);
            refuseMinibatchOptionsForFullBatch(config);
            spark = new SparkSettings(partitions != null ? partitions : defaultPartitions(master), syncEvery);
            dir = common.outOr(Path.of("runs", config.dataset() + "-spark-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
            Files.createDirectories(dir);
        }
        try (RunLock _ = RunLock.acquire(dir, resume != null ? "--resume" : "--out")) {
            if (resume == null) {
                AtomicFiles.writeString(dir.resolve("config.json"), config.toJson());
                spark.write(dir.resolve(SparkSettings.FILE));
            }
            return run(config, spark, dir);
        }
    }

    private int run(RunConfig c, SparkSettings s, Path dir) throws IOException {
        Path data = DatasetStore.locate(DatasetStore.source(c.dataset()), common.dataDir(), System.err);
        Mnist.Splits splits = Mnist.load(data, c.dataset());
        Dataset train = c.limit() > 0 ? splits.train().head(c.limit()) : splits.train();
        // In local mode the tasks share this JVM: one kernel thread each unless --threads says otherwise,
        // Spark's cores do the rest. Executors on a cluster use their own machine's cores.
        Parallel.setThreads(common.threadsOr(master.startsWith("local") ? 1 : c.threads()));
        Dataset.Moments m = c.normalization(train);
        ConfiguredModel model = new ConfiguredModel(c.toJson(), train.featureSize(), train.classes(), m.mean(), m.std());
        JavaSparkContext sc = Clusters.context(master, "descent " + dir.getFileName());
        sc.setLogLevel("WARN");
        try {
            System.out.printf(Locale.ROOT, "%s: %d training, %d test examples on Spark %s (%s, application %s): %d "
                            + "partitions, %s%n", c.dataset(), train.size(), splits.test().size(), sc.version(), master,
                    sc.sc().applicationId(), s.partitions(), FULL_BATCH.contains(c.optimizer()) ? c.optimizer()
                            + ", one full-batch iteration per epoch" : "batch " + c.batchSize() + " per partition, "
                            + s.syncEvery() + " local step(s) per round");
            List<EpochMetrics> history;
            Module trained;
            long rounds;
            String stopReason = null;
            long start = System.nanoTime();
            if (FULL_BATCH.contains(c.optimizer())) {
                FullBatchRun run = new FullBatchRun(sc, model, c.optimizer(), c.hyperparameters(), train, splits.test(),
                        s.partitions(), c.epochs());
                if (resume != null) {
                    run.resume(dir.resolve(CHECKPOINT));
                }
                history = run.fit(dir.resolve(CHECKPOINT), e -> epoch(dir, run.history(), e, c.epochs()));
                trained = run.model();
                rounds = run.evaluations();
                stopReason = run.stopReason();
            } else {
                var setup = new DataParallel.Setup(model, null, s.partitions(), c.batchSize(), s.syncEvery(), c.epochs(),
                        c.seed(), c.augment(), roundTimeout);
                long total = DataParallel.totalSteps(train, setup);
                setup = new DataParallel.Setup(model, new ConfiguredOptimizer(c.toJson(), total), s.partitions(),
                        c.batchSize(), s.syncEvery(), c.epochs(), c.seed(), c.augment(), roundTimeout);
                DataParallel run = new DataParallel(sc, setup, train, splits.test());
                if (resume != null) {
                    run.resume(dir.resolve(CHECKPOINT));
                    System.out.printf("resuming %s after round %d%n", dir, run.round());
                }
                history = run.fit(dir.resolve(CHECKPOINT), e -> epoch(dir, run.history(), e, c.epochs()));
                trained = run.model();
                rounds = run.round();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Evaluation test = Evaluation.of(trained, splits.test(), LossFunction.crossEntropy(), 1000);
            SafeTensors.save(dir.resolve("model.safetensors"), trained.stateDict(), Map.of("format", "pt",
                    "descent_config", c.toJson()));
            new RunReport(c, history, test, stopReason, 0, trained.parameterCount(), trained.toString()).write(dir);
            writeCluster(dir.resolve("spark.json"), sc, s, rounds, seconds, history);
            System.out.printf(Locale.ROOT, "test accuracy %.2f%%, test loss %.4f; %d %s in %.1f s; run folder %s "
                            + "(open report.html)%n", 100 * test.accuracy(), test.loss(), rounds,
                    FULL_BATCH.contains(c.optimizer()) ? "loss evaluations" : "rounds", seconds, dir);
            return stopReason == null ? ExitCodes.DONE : ExitCodes.STOPPED_EARLY;
        } finally {
            sc.stop();
        }
    }

    private static void epoch(Path dir, List<EpochMetrics> history, EpochMetrics e, int epochs) {
        System.out.printf(Locale.ROOT, "epoch %2d/%d  loss %.4f  acc %6.2f%%  │ test loss %.4f  acc %6.2f%%  │ %.1fk "
                        + "samples/s, %.1f s%n", e.epoch(), epochs, e.trainLoss(), 100 * e.trainAccuracy(), e.testLoss(),
                100 * e.testAccuracy(), e.samplesPerSecond() / 1000, e.seconds());
        try {
            AtomicFiles.writeString(dir.resolve("history.csv"), EpochMetrics.csv(history));
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /** The cluster's shape and Spark's application id, beside the run's other files. */
    private static void writeCluster(Path file, JavaSparkContext sc, SparkSettings s, long rounds, double seconds,
                                     List<EpochMetrics> history) throws IOException {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("master", Json.quote(sc.master()));
        f.put("application_id", Json.quote(sc.sc().applicationId()));
        f.put("spark_version", Json.quote(sc.version()));
        f.put("executors", Integer.toString(Math.max(1, sc.sc().getExecutorMemoryStatus().size() - (sc.isLocal() ? 0 : 1))));
        f.put("default_parallelism", Integer.toString(sc.defaultParallelism()));
        f.put("partitions", Integer.toString(s.partitions()));
        f.put("sync_every", Integer.toString(s.syncEvery()));
        f.put("rounds", Long.toString(rounds));
        f.put("seconds", Double.toString(seconds));
        f.put("rounds_per_second", Double.toString(rounds / seconds));
        double examples = history.stream().mapToDouble(m -> m.samplesPerSecond() * m.seconds()).sum();
        f.put("samples_per_second", Double.toString(examples / seconds));
        StringBuilder sb = new StringBuilder("{\n");
        f.forEach((k, v) -> sb.append(sb.length() > 2 ? ",\n" : "").append("  ").append(Json.quote(k)).append(": ").append(v));
        AtomicFiles.writeString(file, sb.append("\n}\n").toString());
    }

    /** Options that the cluster cannot honour are refused, saying what to use instead. */
    private static void refuseWhatSparkDoesNotHonour(RunConfig c) {
        if (c.accumulate() > 1) {
            throw new IllegalArgumentException("--accumulate has no meaning across partitions on Spark: a round already "
                    + "averages the partitions' steps; use --sync-every K, more --partitions or a larger --batch-size");
        }
        if (c.earlyStopping() > 0 || c.valSplit() > 0) {
            throw new IllegalArgumentException("spark train has no validation set yet (--early-stopping, --val-split): "
                    + "train with ./descent train, or choose --epochs from a local run");
        }
        if (c.checkpointEvery() > 0 || c.checkpointMinutes() > 0) {
            throw new IllegalArgumentException("spark train checkpoints after every round (--sync-every steps): "
                    + "--checkpoint-every and --checkpoint-minutes have no place in it; leave them out");
        }
        if (c.probes() > 0) {
            throw new IllegalArgumentException("--probes watches one model's layers step by step; on Spark the steps run "
                    + "on the executors: use ./descent train --probes to look inside the network");
        }
        if (c.average() != null) {
            throw new IllegalArgumentException("--average keeps an average of one model's iterates after every step; on "
                    + "Spark the steps run on the executors and a round already averages the partitions' weights: use "
                    + "./descent train --average");
        }
        if (c.initFromData() > 0) {
            throw new IllegalArgumentException("--init-from-data rescales the layers on a batch before training; on Spark "
                    + "every executor builds the model from config.json alone: use ./descent train --init-from-data, or "
                    + "an --init that keeps the scale (the default Kaiming normal for ReLU)");
        }
        if (c.pretrain() != null) {
            throw new IllegalArgumentException("--pretrain trains one model stage by stage, each stage a run of its own; "
                    + "spark train runs one model's rounds on the executors: use ./descent train --pretrain");
        }
        if (c.auxHeads() != null) {
            throw new IllegalArgumentException("--aux-heads trains heads beside the network that the checkpoint keeps; "
                    + "spark train averages the network's parameters alone: use ./descent train --aux-heads");
        }
        if (c.initFrom() != null || c.freeze() != null) {
            throw new IllegalArgumentException((c.initFrom() != null ? "--init-from" : "--freeze") + " is not "
                    + "supported by spark train yet: fine-tune with ./descent train --init-from RUN_DIR [--freeze ...]");
        }
        if (!c.onNonFinite().equals("stop")) {
            throw new IllegalArgumentException("--on-nonfinite " + c.onNonFinite() + " acts on one trainer's steps; on "
                    + "Spark the steps run on the executors, and a non-finite value stops the run: use ./descent train "
                    + "--on-nonfinite, or leave it out");
        }
        if (c.curriculum() != null) {
            throw new IllegalArgumentException("--curriculum orders one data set; on Spark every partition shuffles its "
                    + "own: use ./descent train for curriculum learning");
        }
    }

    /**
     * A full-batch method sees every example at every evaluation: local steps would do nothing (the
     * shared options refuse the rest, such as --batch-size).
     */
    private void refuseMinibatchOptionsForFullBatch(RunConfig c) {
        if (FULL_BATCH.contains(c.optimizer()) && spec.commandLine().getParseResult().hasMatchedOption("--sync-every")) {
            throw new IllegalArgumentException(c.optimizer() + " evaluates the loss over the whole training set: "
                    + "--sync-every has no effect on it; leave it out, or pick a minibatch optimizer");
        }
    }

    private static int defaultPartitions(String master) {
        var m = java.util.regex.Pattern.compile("local\\[(\\d+)]").matcher(master);
        return m.matches() ? Integer.parseInt(m.group(1)) : master.equals("local") ? 1 : 2;
    }

    private void rejectOptionsBesideResume() {
        for (CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            if (!List.of("--resume", "--data-dir", "--master", "--round-timeout").contains(o.longestName())) {
                throw new IllegalArgumentException("--resume continues a run with the settings in its config.json and "
                        + SparkSettings.FILE + "; " + o.longestName() + " cannot change them (only --master, --data-dir "
                        + "and --round-timeout may be given)");
            }
        }
    }
}
