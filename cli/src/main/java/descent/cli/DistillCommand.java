package descent.cli;

import descent.data.Augmentation;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.Mnist;
import descent.data.Samplers;
import descent.io.AtomicFiles;
import descent.io.SafeTensors;
import descent.kernels.Parallel;
import descent.nn.Classifier;
import descent.nn.StateDictException;
import descent.tensor.NdArray;
import descent.train.Callback;
import descent.train.Evaluation;
import descent.train.FitNets;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains a student MLP from a saved teacher run: FitNets' two stages (hints, then knowledge
 * distillation) or distillation alone, writing a normal run folder (plus {@code distill.json} and
 * {@code stages.csv}) that {@code evaluate} reads like any other.
 */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a student MLP from a teacher (a run folder of ./descent train): with --hint and --guided, "
                + "FitNets' two stages (Romero et al., 2015): the student's layers up to the guided one learn, through a "
                + "regressor, to predict the teacher's hint layer; then the whole student learns from the labels and the "
                + "teacher's softened outputs (knowledge distillation). Without them, distillation alone.",
            "Layers are named as in the state dict: body.layers.1 is the first hidden activation of an MLP, "
                + "body.layers.3 the second. Writes a run folder like train's."})
final class DistillCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    TrainOptions options;

    @CommandLine.Mixin
    RunOptions common;

    @Option(names = "--teacher", paramLabel = "DIR", description = "The teacher's run folder (config.json and "
            + "model.safetensors), trained on the same data set (required unless --resume).")
    Path teacher;

    @Option(names = "--hint", paramLabel = "LAYER", description = "The teacher's hint layer (e.g. body.layers.1) "
            + "(default: none, distillation alone).")
    String hint;

    @Option(names = "--guided", paramLabel = "LAYER", description = "The student's guided layer, which learns to "
            + "predict the hint through a regressor (e.g. body.layers.7) (default: none; required with --hint).")
    String guided;

    @Option(names = "--hint-epochs", description = "Epochs of the hint stage (default: 2 with --hint); --epochs is "
            + "the distillation stage's.")
    Integer hintEpochs;

    @Option(names = "--temperature", description = "τ of the softened outputs (default: ${DEFAULT-VALUE}).")
    double temperature = 3;

    @Option(names = "--lambda", paramLabel = "START[:END]", description = "Weight λ of the teacher's soft targets, "
            + "annealed linearly from START to END over the distillation stage (default: ${DEFAULT-VALUE}).")
    String lambda = "4:1";

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its last checkpoint, "
            + "in whichever stage it was, with its settings; bit-exact with an uninterrupted run (default: a new run).")
    Path resume;

    @Override
    public Integer call() throws IOException {
        RunConfig config;
        DistillSettings settings;
        Path dir;
        if (resume != null) {
            rejectOptionsBesideResume();
            dir = resume;
            config = RunConfig.read(dir.resolve("config.json"));
            settings = DistillSettings.read(dir);
        } else {
            if (teacher == null) {
                throw new IllegalArgumentException("distill needs a teacher: --teacher RUN_DIR (a run folder of ./descent "
                        + "train)");
            }
            config = options.config(common);
            refuseUnsupported(config);
            double[] l = DistillSettings.parseLambda(lambda);
            settings = new DistillSettings(teacher.toAbsolutePath().normalize(), hint, guided,
                    hintEpochs != null ? hintEpochs : hint != null ? 2 : 0, temperature, l[0], l[1]);
            dir = common.out != null ? common.out : Path.of("runs", config.dataset() + "-distill-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            Files.createDirectories(dir);
        }
        try (RunLock _ = RunLock.acquire(dir, resume != null ? "--resume" : "--out")) {
            if (resume == null) {
                AtomicFiles.writeString(dir.resolve("config.json"), config.toJson());
                settings.write(dir);
            }
            return run(config, settings, dir, common.dataDir, resume != null);
        }
    }

    private void rejectOptionsBesideResume() {
        for (CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            if (!o.longestName().equals("--resume") && !o.longestName().equals("--data-dir")) {
                throw new IllegalArgumentException("--resume continues a run with the settings in its config.json and "
                        + "distill.json; " + o.longestName() + " cannot change them (only --data-dir may be given)");
            }
        }
    }

    /** The options of train that a staged run would not honour, refused with what to do instead. */
    private static void refuseUnsupported(RunConfig c) {
        if (OptimizerNames.FULL_BATCH_TRAINING.contains(c.optimizer())) {
            throw new IllegalArgumentException("distill trains on minibatches; " + c.optimizer() + " works on the whole "
                    + "training set: use a minibatch optimizer (" + String.join(", ", OptimizerNames.FIRST_ORDER) + ")");
        }
        List<String> given = new java.util.ArrayList<>();
        if (c.earlyStopping() > 0) {
            given.add("--early-stopping");
        }
        if (c.curriculum() != null) {
            given.add("--curriculum");
        }
        if (c.probes() > 0) {
            given.add("--probes");
        }
        if (c.average() != null) {
            given.add("--average");
        }
        if (c.checkpointEvery() > 0 || c.checkpointMinutes() > 0) {
            given.add("--checkpoint-every, --checkpoint-minutes");
        }
        if (c.pretrain() != null) {
            given.add("--pretrain");
        }
        if (c.auxHeads() != null) {
            given.add("--aux-heads");
        }
        if (c.initFrom() != null || c.freeze() != null) {
            given.add("--init-from, --freeze");
        }
        if (c.initFromData() > 0) {
            given.add("--init-from-data");
        }
        if (!c.onNonFinite().equals("stop")) {
            given.add("--on-nonfinite " + c.onNonFinite());
        }
        if (!given.isEmpty()) {
            throw new IllegalArgumentException("distill does not support " + String.join(", ", given) + " (its stages "
                    + "would not honour them); train the student with ./descent train for those");
        }
    }

    static int run(RunConfig c, DistillSettings s, Path dir, Path dataDir, boolean resuming) throws IOException {
        Parallel.setThreads(c.threads());
        Path data = DatasetStore.locate(DatasetStore.source(c.dataset()), dataDir, System.err);
        Mnist.Splits splits = Mnist.load(data, c.dataset());
        Dataset train = c.limit() > 0 ? splits.train().head(c.limit()) : splits.train();
        Dataset validation = null;
        if (c.valSplit() > 0) {
            Dataset.Split sp = train.split(c.valSplit(), SplitMix64.derive(c.seed(), "validation split"));
            train = sp.train();
            validation = sp.validation();
        }
        Classifier teacherModel = loadTeacher(s.teacher(), c.dataset(), train);
        Classifier student = c.model(train);
        DataLoader loader = new DataLoader(train, c.batchSize(), false, Samplers.shuffled(),
                c.augment() == null ? null : Augmentation.parse(c.augment(), train.exampleShape()));
        long stage2Steps = (long) c.epochs() * loader.batches(train.size()) / c.accumulate();
        FitNets fitnets = new FitNets(teacherModel, s.hint(), s.guided(), s.temperature(), s.lambda(stage2Steps));
        StageHistory history = new StageHistory(dir);
        FitNets.Plan plan = new FitNets.Plan(loader, validation, splits.test(), s.hintEpochs(), c.epochs(), c.seed(),
                (params, steps) -> c.optimizer(params, Math.max(1, steps / c.accumulate())),
                (stage, epochs) -> {
                    System.out.println(stage.equals("hints") ? "stage 1: hints (" + s.hint() + " → " + s.guided() + ")"
                            : s.hint() == null ? "distillation" : "stage 2: distillation");
                    Callback h = stage.equals("hints") ? history.stage("hints", "hint loss", false)
                            : history.stage("distillation", "distillation loss", true);
                    return List.of(new ProgressBar(System.out, epochs), h);
                }, null, null).checkpointedIn(dir);
        System.out.printf(Locale.ROOT, "%s: %d training, %s%d test examples; student %s, %,d parameters; %s, batch %d, "
                        + "%d threads%n  %s%n", c.dataset(), train.size(),
                validation == null ? "" : validation.size() + " validation, ", splits.test().size(),
                architecture(c, train), student.parameterCount(), TrainCommand.TrainRun.optimizerLabel(c), c.batchSize(),
                c.threads(), s.describe());
        if (resuming) {
            System.out.println("resuming " + dir);
        }
        FitNets.Result result = fitnets.train(student, plan, resuming);
        Evaluation test = Evaluation.of(student, splits.test(), LossFunction.crossEntropy(), 1000);
        SafeTensors.save(dir.resolve("model.safetensors"), student.stateDict(), Map.of("format", "pt",
                "descent_config", c.toJson()));
        new RunReport(c, history.combined(), test, result.trainer().stopReason(), 0, student.parameterCount(),
                student.toString()).write(dir);
        history.report(s.describe());
        System.out.printf(Locale.ROOT, "test accuracy %.2f%%, test loss %.4f; run folder %s (open report.html)%n",
                100 * test.accuracy(), test.loss(), dir);
        return 0;
    }

    /** The teacher of a run folder written by {@code ./descent train}, checked against the student's data. */
    static Classifier loadTeacher(Path dir, String dataset, Dataset train) throws IOException {
        RunConfig t = RunConfig.read(dir.resolve("config.json"));
        if (!t.dataset().equals(dataset)) {
            throw new IllegalArgumentException("the teacher in " + dir + " was trained on " + t.dataset() + ", the student "
                    + "trains on " + dataset + ": distill on the teacher's data set (--dataset " + t.dataset() + ")");
        }
        Path weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new IOException(weights + " does not exist: the teacher's run has not finished");
        }
        Map<String, NdArray> state = SafeTensors.loadTensors(weights);
        NdArray mean = state.get("normalize.mean");
        NdArray std = state.get("normalize.std");
        if (mean == null || std == null) {
            throw new IOException(weights + " has no normalize.mean / normalize.std: not a model written by ./descent "
                    + "train");
        }
        Classifier model = t.model(train.featureSize(), train.classes(), mean.toFloatArray(), std.toFloatArray());
        try {
            model.loadStateDict(state, true);
        } catch (StateDictException e) {
            throw new IllegalArgumentException("the teacher in " + weights + " does not fit its config.json: "
                    + e.getMessage());
        }
        return model;
    }

    private static String architecture(RunConfig c, Dataset train) {
        StringBuilder sb = new StringBuilder("MLP ").append(train.featureSize());
        for (int h : c.hidden()) {
            sb.append('-').append(h);
        }
        return sb.append('-').append(train.classes()).append(' ').append(c.activation()).toString();
    }
}
