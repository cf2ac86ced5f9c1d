package descent.cli;

import descent.autograd.Tensor;
import descent.data.Augmentation;
import descent.data.Curriculum;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.Mnist;
import descent.data.Sampler;
import descent.data.Samplers;
import descent.diagnostics.ArchitectureLint;
import descent.diagnostics.Probes;
import descent.io.AtomicFiles;
import descent.io.SafeTensors;
import descent.kernels.Parallel;
import descent.nn.Classifier;
import descent.nn.DataDependentInit;
import descent.nn.Mode;
import descent.nn.Transfer;
import descent.optim.Optimizer;
import descent.train.AuxiliaryHeads;
import descent.train.Callback;
import descent.train.EarlyStopping;
import descent.train.EpochMetrics;
import descent.train.Evaluation;
import descent.train.GreedyPretraining;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import descent.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: trains an MLP classifier on MNIST (or Fashion-MNIST), showing progress, and writes
 * a run folder with the configuration, per-epoch history, metrics, the model, a checkpoint to
 * resume from, and an HTML report with plots.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an MLP on MNIST or Fashion-MNIST and write a run folder (config.json, history.csv, "
                + "metrics.json, model.safetensors, checkpoint.safetensors, report.html).",
            "With no options: MLP 784-256-128-10, Adam with a cosine schedule, 12 epochs on MNIST."})
final class TrainCommand implements Callable<Integer> {

    static final String CHECKPOINT = "checkpoint.safetensors";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    TrainOptions options;

    @CommandLine.Mixin
    RunOptions common;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its last checkpoint, "
            + "with its settings; bit-exact with an uninterrupted run (default: a new run).")
    Path resume;

    @Option(names = "--quiet", description = "Print only the summary line at the end (default: off).")
    boolean quiet;

    @Option(names = "--json", description = "For scripts: one JSON object per epoch on standard output and a last one "
            + "with the result (\"done\": true); the lines for people go to standard error (default: off).")
    boolean json;

    @Override
    public Integer call() throws IOException {
        RunConfig config;
        Path dir;
        RunLock lock;
        if (resume != null) {
            rejectOptionsBesideResume();
            dir = resume;
            config = RunConfig.read(dir.resolve("config.json"));
            lock = RunLock.acquire(dir, "--resume");
            Path first = config.pretrain() == null ? dir.resolve(CHECKPOINT)
                    : GreedyPretraining.stageCheckpoint(dir.resolve(CHECKPOINT), 1); // the first one written
            if (!Files.isRegularFile(first)) {
                lock.close();
                throw new IOException(first + " does not exist: the run ended before its first checkpoint");
            }
        } else {
            if (options.initFrom != null) {
                InitFrom.adoptArchitecture(options, spec.commandLine().getParseResult().matchedOptions().stream()
                        .map(CommandLine.Model.OptionSpec::longestName).collect(java.util.stream.Collectors.toSet()));
            }
            config = options.config(common);
            dir = common.out != null ? common.out : Path.of("runs", config.dataset() + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            Files.createDirectories(dir);
            lock = RunLock.acquire(dir, "--out");
        }
        try (lock) {
            if (resume == null) {
                AtomicFiles.writeString(dir.resolve("config.json"), config.toJson());
            }
            ScriptOutput output = ScriptOutput.of(quiet, json, System.out);
            PrintStream stdout = System.out;
            System.setOut(output.human());
            try {
                return new TrainRun(config, dir, common.dataDir, resume != null, output).run();
            } finally {
                System.setOut(stdout);
            }
        }
    }

    private void rejectOptionsBesideResume() {
        for (CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            if (!List.of("--resume", "--data-dir", "--quiet", "--json").contains(o.longestName())) {
                throw new IllegalArgumentException("--resume continues a run with the settings in its config.json; "
                        + o.longestName() + " cannot change them (only --data-dir, --quiet and --json may be given)");
            }
        }
    }

    /** One run: data, model, optimizer and trainer built from a configuration, then trained and reported. */
    static final class TrainRun {
        private final RunConfig c;
        private final Path dir;
        private final Path dataDir;
        private final boolean resuming;
        private final ScriptOutput output;

        TrainRun(RunConfig config, Path dir, Path dataDir, boolean resuming, ScriptOutput output) {
            this.c = config;
            this.dir = dir;
            this.dataDir = dataDir;
            this.resuming = resuming;
            this.output = output;
        }

        int run() throws IOException {
            Parallel.setThreads(c.threads());
            Path data = DatasetStore.locate(DatasetStore.source(c.dataset()), dataDir, System.err);
            Mnist.Splits splits = Mnist.load(data, c.dataset());
            Dataset train = c.limit() > 0 ? splits.train().head(c.limit()) : splits.train();
            Dataset validation = null;
            if (c.valSplit() > 0) {
                Dataset.Split s = train.split(c.valSplit(), SplitMix64.derive(c.seed(), "validation split"));
                train = s.train();
                validation = s.validation();
            }
            Classifier model = c.model(train);
            List<String> transfer = new ArrayList<>();
            if (c.initFrom() != null && !resuming) { // a resumed run's checkpoint holds every weight
                transfer.add(InitFrom.load(c, model));
            }
            if (!c.frozen().isEmpty()) {
                List<String> frozen = Transfer.freeze(model, c.frozen());
                transfer.add(String.format(Locale.ROOT, "frozen: %s (%,d of %,d parameters train)", String.join(", ",
                        frozen), model.trainableParameters().values().stream().mapToLong(Tensor::size).sum(),
                        model.parameterCount()));
            }
            // A resumed run's weights come from its checkpoint: rescaling them first would be undone, so it is skipped.
            DataDependentInit.Report rescaled = resuming ? null : c.initializeFromData(model, train);
            if (OptimizerNames.FULL_BATCH_TRAINING.contains(c.optimizer())) {
                System.out.printf(Locale.ROOT, "%s: %d training, %s%d test examples; %s, %,d parameters; %s on the whole "
                                + "training set, one iteration per epoch, %d threads%n", c.dataset(), train.size(),
                        validation == null ? "" : validation.size() + " validation, ", splits.test().size(),
                        describe(c, train), model.parameterCount(), optimizerLabel(c), c.threads());
                transfer.forEach(s -> System.out.println("  " + s));
                if (rescaled != null) {
                    report(rescaled);
                }
                return TrainFullBatch.run(c, dir, model, train, validation, splits.test(), resuming, output);
            }
            Sampler sampler = Samplers.shuffled();
            Curriculum curriculum = null;
            if (c.curriculum() != null) {
                curriculum = new Curriculum(Curriculum.distanceToClassMean(train), Curriculum.Pacing.parse(c.curriculum()));
                sampler = curriculum;
            }
            DataLoader loader = new DataLoader(train, c.batchSize(), false, sampler,
                    c.augment() == null ? null : Augmentation.parse(c.augment(), train.exampleShape()));
            long batches = 0;
            for (int e = 0; e < c.epochs(); e++) {
                batches += loader.batches(curriculum == null ? train.size() : curriculum.poolSize(e));
            }
            long totalSteps = batches / c.accumulate(); // optimizer steps: one per K minibatches
            if (c.averaging() != null && c.averaging().uniform() && c.averaging().start() >= totalSteps) {
                throw new IllegalArgumentException("--average " + c.average() + " starts averaging after step "
                        + c.averaging().start() + ", but the run takes " + totalSteps + " optimizer steps: nothing would "
                        + "be averaged; give a START below " + totalSteps);
            }
            AuxiliaryHeads heads = c.auxHeads() == null ? null : AuxiliaryHeads.linear(model,
                    Tensor.of(train.batch(0, Math.min(2, train.size())).inputs()), train.classes(), c.auxiliaryHeads(),
                    SplitMix64.derive(c.seed(), "auxiliary heads"));
            Map<String, Tensor> trained = new LinkedHashMap<>(model.trainableParameters());
            if (heads != null) {
                trained.putAll(heads.parameters()); // trained with the network, saved only in the checkpoint
            }
            Optimizer optimizer = c.optimizer(trained, totalSteps);
            List<Callback> callbacks = new ArrayList<>();
            callbacks.add(new ProgressBar(System.out, c.epochs()));
            callbacks.add(output.epochs());
            GreedyPretraining pretraining = c.pretrain() == null ? null
                    : new GreedyPretraining(model, c.pretraining(), SplitMix64.derive(c.seed(), "greedy pretraining heads"));
            StagedHistoryFile stagedHistory = pretraining == null ? null
                    : new StagedHistoryFile(dir.resolve("history.csv"), pretraining.stages());
            callbacks.add(pretraining == null ? new HistoryFile(dir.resolve("history.csv")) : stagedHistory);
            if (c.probes() > 0) {
                ProbesFile probes = new ProbesFile(new Probes(model, c.probes()), dir.resolve("probes.csv"));
                callbacks.add(probes.sampler());
                callbacks.add(probes);
            }
            if (heads != null) {
                callbacks.add(heads);
            }
            EarlyStopping stopper = null;
            if (c.earlyStopping() > 0) {
                stopper = new EarlyStopping(c.earlyStopping(), c.minDelta());
                callbacks.add(stopper);
            }
            Trainer.Setup setup = Trainer.Setup.of(model, optimizer, loader)
                    .withLoss(heads != null ? heads : LossFunction.crossEntropy()).withValidation(validation)
                    .withTest(splits.test()).withEpochs(c.epochs()).withSeed(c.seed()).withCallbacks(callbacks)
                    .withCheckpoint(dir.resolve(CHECKPOINT)).withAveraging(c.averaging())
                    .withCheckpointEvery(c.checkpointInterval());
            System.out.printf(Locale.ROOT, "%s: %d training, %s%d test examples; %s, %,d parameters; %s, batch %d, "
                            + "%d threads%n", c.dataset(), train.size(),
                    validation == null ? "" : validation.size() + " validation, ", splits.test().size(),
                    describe(c, train), model.parameterCount(), optimizerLabel(c), c.batchSize(), c.threads());
            if (c.accumulate() > 1) {
                System.out.printf("  one step per %d minibatches (effective batch %d)%n", c.accumulate(),
                        c.accumulate() * c.batchSize());
            }
            transfer.forEach(s -> System.out.println("  " + s));
            if (heads != null) {
                System.out.printf("  auxiliary heads %s: the training loss adds their weighted cross-entropy; validation, "
                        + "test and the saved model are the network's alone%n", heads.describe());
            }
            if (c.average() != null) {
                System.out.printf("  iterate averaging %s: validation and test metrics are of the averaged weights, "
                        + "and so is the saved model%n", c.average());
            }
            if (rescaled != null) {
                report(rescaled);
            }
            lint(model, train, c.decayedParameters(model.trainableParameters()));
            Trainer trainer;
            List<EpochMetrics> history;
            List<String> stages = null;
            if (pretraining != null) {
                if (resuming) {
                    System.out.printf("resuming %s: each stage continues from its checkpoint%n", dir);
                }
                GreedyPretraining.Result r = pretrainAndFineTune(pretraining, setup, stagedHistory);
                trainer = r.fineTuning();
                history = r.history();
                stages = r.stageOfEpoch();
            } else {
                trainer = new Trainer(setup);
                trainer.onNote(s -> System.out.println("  " + s));
                trainer.onNonFinite(c.nonFinite());
                if (resuming) {
                    trainer.resume(dir.resolve(CHECKPOINT));
                    System.out.printf("resuming %s after epoch %d (step %d)%s%n", dir, trainer.epoch(), trainer.step(),
                            trainer.batchesIntoEpoch() == 0 ? "" : ", " + trainer.batchesIntoEpoch() + " batches into epoch "
                                    + (trainer.epoch() + 1));
                }
                trainer.fit();
                history = trainer.history();
            }
            Evaluation test = Evaluation.of(model, splits.test(), LossFunction.crossEntropy(), 1000);
            SafeTensors.save(dir.resolve("model.safetensors"), model.stateDict(), Map.of("format", "pt",
                    "descent_config", c.toJson()));
            if (c.probes() > 0) {
                ProbesFile.plot(dir.resolve("probes.csv"), dir.resolve("probes.png"));
            }
            int bestEpoch = stopper == null || stopper.bestEpoch() == 0 ? 0
                    : stopper.bestEpoch() + history.size() - trainer.history().size(); // numbered across the stages
            RunReport report = new RunReport(c, history, test, trainer.stopReason(), bestEpoch, model.parameterCount(),
                    model.toString(), stages);
            report.write(dir);
            output.done(String.format(Locale.ROOT, "test accuracy %.2f%%, test loss %.4f%s; run folder %s (open "
                    + "report.html)", 100 * test.accuracy(), test.loss(), trainer.stopReason() == null ? ""
                    : " (" + trainer.stopReason() + ")", dir), result(dir, test, trainer.stopReason()));
            return trainer.stopReason() == null ? ExitCodes.DONE : ExitCodes.STOPPED_EARLY;
        }

        /** The result line's fields for {@code --json}. */
        static Map<String, Object> result(Path dir, Evaluation test, String stopReason) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("test_accuracy", test.accuracy());
            f.put("test_loss", test.loss());
            f.put("stop_reason", stopReason);
            f.put("run", dir.toString());
            return f;
        }

        /** Prints what data-dependent initialization did: each Linear layer's output std before and after. */
        private static void report(DataDependentInit.Report r) {
            StringBuilder sb = new StringBuilder("init from data: output std of the Linear layers before -> after:");
            for (DataDependentInit.Layer l : r.layers()) {
                sb.append(String.format(Locale.ROOT, " %s %.3g -> %.3g%s", l.name(), l.stdBefore(), l.stdAfter(),
                        r.withinTolerance(l) ? "" : " (not reached in " + l.iterations() + " rescalings)"));
            }
            System.out.println("  " + sb);
        }

        /**
         * Greedy pretraining, a stage per hidden layer (each with a fresh optimizer whose schedule spans
         * the stage, a progress bar and the staged history), then {@code fineTuning}.
         */
        private GreedyPretraining.Result pretrainAndFineTune(GreedyPretraining pretraining, Trainer.Setup fineTuning,
                                                             StagedHistoryFile history) throws IOException {
            List<GreedyPretraining.Stage> stages = pretraining.stages();
            System.out.printf("  greedy pretraining %s: %d stages of %d epochs (hidden layer k trained with a temporary "
                    + "head on the layers below, %s), then %d epochs fine-tuning the whole network%n", c.pretrain(),
                    stages.size() - 1, c.pretraining().epochsPerLayer(), c.pretraining().joint() ? "trained with it"
                            : "frozen", c.epochs());
            pretraining.onNote(s -> System.out.println("  " + s));
            List<Callback> fineTuningCallbacks = new ArrayList<>(List.of(header(stages.getLast(), stages.size())));
            fineTuningCallbacks.addAll(fineTuning.callbacks());
            return pretraining.fit(fineTuning.withCallbacks(fineTuningCallbacks),
                    (params, minibatches) -> c.optimizer(params, minibatches / c.accumulate()),
                    s -> List.of(header(s, stages.size()), new ProgressBar(System.out, s.epochs()), history,
                            output.epochs()), resuming);
        }

        /** Prints a line when a stage starts, saying what it trains. */
        private static Callback header(GreedyPretraining.Stage s, int stages) {
            return new Callback() {
                @Override
                public void onTrainStart(Trainer t) {
                    String what = s.fineTuning() ? "fine-tuning the whole network"
                            : "hidden layer " + s.number() + " with " + (s.number() == stages - 1 ? "the network's output "
                            + "layer" : "a temporary head") + " (" + String.join(", ", t.model().trainableParameters()
                            .keySet()) + ")";
                    System.out.printf("stage %d/%d: %s%s%n", s.number(), stages, what, t.epoch() == 0 ? ""
                            : " (resumed after epoch " + t.epoch() + ")");
                }
            };
        }

        /** Prints what {@link ArchitectureLint} finds in the configured model, {@code decayed} its decayed parameters. */
        private static void lint(Classifier model, Dataset train, Set<String> decayed) {
            Tensor input = Tensor.of(train.batch(0, Math.min(8, train.size())).inputs());
            for (ArchitectureLint.Warning w : ArchitectureLint.check(model, new ArchitectureLint.Context(decayed, input,
                    true, Mode.EVAL))) {
                System.out.println("  lint: " + w);
            }
        }

        private static String describe(RunConfig c, Dataset train) {
            StringBuilder sb = new StringBuilder("MLP ").append(train.featureSize());
            for (int h : c.hidden()) {
                sb.append('-').append(h);
            }
            sb.append('-').append(train.classes()).append(' ').append(c.activation());
            if (c.batchNorm()) {
                sb.append(", batch norm");
            }
            if (c.dropout() > 0) {
                sb.append(", dropout ").append(c.dropout());
                if (!c.dropoutForm().equals("inverted")) {
                    sb.append(' ').append(c.dropoutForm());
                }
            }
            if (c.augment() != null) {
                sb.append(", augment ").append(c.augment());
            }
            return sb.toString();
        }

        static String optimizerLabel(RunConfig c) {
            StringBuilder sb = new StringBuilder(c.optimizer());
            c.hyperparameters().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
            return sb.toString();
        }
    }

    /** Rewrites history.csv atomically after every epoch, so it is complete up to the last one trained. */
    static final class HistoryFile implements Callback {
        private final Path file;

        HistoryFile(Path file) {
            this.file = file;
        }

        @Override
        public void onEpochEnd(Trainer trainer, EpochMetrics metrics) {
            try {
                AtomicFiles.writeString(file, EpochMetrics.csv(trainer.history()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
