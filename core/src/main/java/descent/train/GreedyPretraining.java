package descent.train;

import descent.autograd.Tensor;
import descent.nn.Classifier;
import descent.nn.Linear;
import descent.nn.Mlp;
import descent.nn.Module;
import descent.nn.Sequential;
import descent.nn.Standardize;
import descent.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Greedy supervised layer-wise pretraining of an MLP classifier, then fine-tuning of the whole
 * network (Bengio et al. 2007, "Greedy layer-wise training of deep networks"; Goodfellow et al.,
 * <i>Deep Learning</i> §8.7.4). Stage k trains hidden layer k on the output of the layers below it,
 * through a temporary output head of its own: the input and the labels are the original ones, the
 * layers below are frozen (or, with {@link Settings#joint}, trained with it). The next stage drops
 * that head and stacks layer k + 1 with a new one. The last hidden layer's stage uses the network's
 * own output layer as its head, and a final stage fine-tunes every layer jointly.
 *
 * <p>Every stage is a {@link Trainer} run of its own, with a fresh optimizer, its own seed
 * (derived from the fine-tuning's), and, where the fine-tuning has a checkpoint file, its own
 * checkpoint beside it ({@code checkpoint-stage-1.safetensors}, ...), so that a run killed in any
 * stage resumes bit for bit: finished stages are read back from their files and the stage that was
 * running continues from its last epoch. The temporary heads are drawn up front, in order, from the
 * generator given, so a resumed run rebuilds the very same ones.
 *
 * <p>Frozen means the parameters: dropout and batch norm in frozen layers still run in training
 * mode, batch norm's running statistics following the batches (as in PyTorch with
 * {@code requires_grad=False} and the module left in train mode).
 */
public final class GreedyPretraining {

    /**
     * How to pretrain: {@code epochsPerLayer} epochs for each hidden layer's stage, the layers below
     * it frozen unless {@code joint}.
     */
    public record Settings(int epochsPerLayer, boolean joint) {

        /** What {@link #parse} reads. */
        public static final String FORM = "greedy[:EPOCHS_PER_LAYER][:joint] (EPOCHS_PER_LAYER at least 1, default 1; "
                + "joint: the layers below each new one train with it instead of staying frozen)";

        public Settings {
            if (epochsPerLayer < 1) {
                throw new IllegalArgumentException("greedy pretraining: epochs per layer must be at least 1, got "
                        + epochsPerLayer);
            }
        }

        /** {@code greedy}, {@code greedy:2}, {@code greedy:joint} or {@code greedy:2:joint}. */
        public static Settings parse(String spec) {
            String[] parts = spec.split(":", -1);
            boolean joint = parts.length > 1 && parts[parts.length - 1].equals("joint");
            int numbers = parts.length - 1 - (joint ? 1 : 0);
            try {
                if (parts[0].equals("greedy") && numbers <= 1) {
                    int epochs = numbers == 0 ? 1 : Integer.parseInt(parts[1]);
                    if (epochs >= 1) {
                        return new Settings(epochs, joint);
                    }
                }
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            throw new IllegalArgumentException("pretraining '" + spec + "': expected " + FORM);
        }

        @Override
        public String toString() {
            return "greedy:" + epochsPerLayer + (joint ? ":joint" : "");
        }
    }

    /**
     * One stage: its 1-based number, a name ({@code layer 3}, {@code fine-tune}), the model it
     * trains, and its epochs (the fine-tuning's come from its setup: 0 here).
     */
    public record Stage(int number, String name, Module model, int epochs) {
        public boolean fineTuning() {
            return name.equals(FINE_TUNE);
        }
    }

    /** A fresh optimizer for a stage, over the parameters it trains, for a stage of {@code minibatches} steps. */
    @FunctionalInterface
    public interface Optimizers {
        Optimizer over(Map<String, Tensor> trainable, long minibatches);
    }

    /** Every stage's trainer, in order, the fine-tuning's last. */
    public record Result(List<Stage> stages, List<Trainer> trainers) {
        public Result {
            stages = List.copyOf(stages);
            trainers = List.copyOf(trainers);
        }

        public Trainer fineTuning() {
            return trainers.getLast();
        }

        /** The stages' histories one after another, epochs and steps numbered across the whole run. */
        public List<EpochMetrics> history() {
            return joined(trainers.stream().map(Trainer::history).toList());
        }

        /** The stage name of each epoch of {@link #history()}. */
        public List<String> stageOfEpoch() {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < stages.size(); i++) {
                out.addAll(Collections.nCopies(trainers.get(i).history().size(), stages.get(i).name()));
            }
            return out;
        }
    }

    /** The fine-tuning stage's name. */
    public static final String FINE_TUNE = "fine-tune";

    private final Classifier network;
    private final Settings settings;
    /** Hidden layer k's modules (Linear, [batch norm], activation, [dropout]) at index k − 1. */
    private final List<List<Module>> blocks = new ArrayList<>();
    /** Stage k's output layer at index k − 1: temporary ones, then the network's own. */
    private final List<Linear> heads = new ArrayList<>();
    private final List<Stage> stages = new ArrayList<>();
    private Consumer<String> notes = s -> {};

    /**
     * The stages of pretraining {@code network}, whose body must be an {@link Mlp} with at least one
     * hidden layer; the temporary heads are drawn from {@code headRng} with the MLP's initializer.
     */
    public GreedyPretraining(Classifier network, Settings settings, RandomGenerator headRng) {
        if (!(network.body() instanceof Mlp mlp)) {
            throw new IllegalArgumentException("greedy pretraining stacks the hidden layers of an Mlp; this classifier's "
                    + "body is a " + network.body().getClass().getSimpleName());
        }
        this.network = network;
        this.settings = settings;
        List<Module> layers = mlp.layers().layers();
        for (Module m : layers.subList(0, layers.size() - 1)) {
            if (m instanceof Linear) {
                blocks.add(new ArrayList<>());
            }
            blocks.getLast().add(m);
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("greedy pretraining trains the hidden layers one at a time: the network "
                    + java.util.Arrays.toString(mlp.spec().sizes()) + " has none (give it hidden layers, or train it "
                    + "without pretraining)");
        }
        Linear output = (Linear) layers.getLast();
        Standardize normalize = (Standardize) network.children().get("normalize");
        for (int k = 1; k <= blocks.size(); k++) {
            Module model = network;
            if (k < blocks.size()) {
                heads.add(new Linear(((Linear) blocks.get(k - 1).getFirst()).outFeatures(), output.outFeatures(), true,
                        mlp.spec().effectiveInit(), mlp.spec().dtype(), headRng));
                List<Module> stack = new ArrayList<>();
                blocks.subList(0, k).forEach(stack::addAll);
                stack.add(heads.getLast());
                model = new Classifier(normalize, new Sequential(stack));
            } else {
                heads.add(output);
            }
            stages.add(new Stage(k, "layer " + k, model, settings.epochsPerLayer()));
        }
        stages.add(new Stage(blocks.size() + 1, FINE_TUNE, network, 0));
    }

    public Settings settings() {
        return settings;
    }

    /** The pretraining stages, one per hidden layer, then the fine-tuning. */
    public List<Stage> stages() {
        return Collections.unmodifiableList(stages);
    }

    /** Where the stages' trainers send their notes (default: nowhere). */
    public void onNote(Consumer<String> sink) {
        this.notes = sink;
    }

    /** Where stage {@code number}'s checkpoint goes beside the fine-tuning's {@code checkpoint}. */
    public static Path stageCheckpoint(Path checkpoint, int number) {
        String name = checkpoint.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return checkpoint.resolveSibling(stem + "-stage-" + number + (dot > 0 ? name.substring(dot) : ""));
    }

    /**
     * Pretrains layer by layer, then runs {@code fineTuning} (a setup of the network itself, with
     * the optimizer, epochs, callbacks, averaging and checkpoint of the fine-tuning). The pretraining
     * stages train on its data with its loss, validation and test sets, a fresh optimizer each from
     * {@code optimizers}, the callbacks {@code stageCallbacks} gives each (early stopping and
     * averaging belong to the fine-tuning only), and checkpoints beside its own. With
     * {@code resume}, every stage whose checkpoint exists continues from it.
     */
    public Result fit(Trainer.Setup fineTuning, Optimizers optimizers, Function<Stage, List<Callback>> stageCallbacks,
                      boolean resume) throws IOException {
        if (fineTuning.model() != network) {
            throw new IllegalArgumentException("greedy pretraining: the fine-tuning setup must train the network being "
                    + "pretrained, not a " + fineTuning.model().getClass().getSimpleName());
        }
        Path checkpoint = fineTuning.checkpoint();
        if (resume && checkpoint == null) {
            throw new IllegalArgumentException("greedy pretraining: nothing to resume from without a checkpoint file");
        }
        List<Path> files = new ArrayList<>();
        for (Stage s : stages) {
            files.add(checkpoint == null ? null : s.fineTuning() ? checkpoint : stageCheckpoint(checkpoint, s.number()));
        }
        if (resume) {
            requireConsecutive(files);
        }
        List<Trainer> trainers = new ArrayList<>();
        for (Stage s : stages) {
            setTrainable(s);
            Trainer t = new Trainer(s.fineTuning() ? fineTuning : stageSetup(s, fineTuning, optimizers,
                    stageCallbacks.apply(s), files.get(s.number() - 1)));
            t.onNote(notes);
            if (resume && Files.isRegularFile(files.get(s.number() - 1))) {
                t.resume(files.get(s.number() - 1));
            }
            t.fit();
            trainers.add(t);
        }
        return new Result(stages, trainers);
    }

    /** Without checkpoints or callbacks in the pretraining stages. */
    public Result fit(Trainer.Setup fineTuning, Optimizers optimizers) throws IOException {
        return fit(fineTuning, optimizers, s -> List.of(), false);
    }

    private static Trainer.Setup stageSetup(Stage s, Trainer.Setup f, Optimizers optimizers, List<Callback> callbacks,
                                            Path file) {
        long minibatches = (long) f.train().batches(f.train().dataset().size()) * s.epochs();
        Optimizer optimizer = optimizers.over(s.model().trainableParameters(), minibatches);
        return Trainer.Setup.of(s.model(), optimizer, f.train()).withLoss(f.loss()).withValidation(f.validation())
                .withTest(f.test()).withEpochs(s.epochs()).withSeed(SplitMix64.derive(f.seed(), "greedy stage "
                        + s.number()).nextLong()).withCallbacks(callbacks).withCheckpoint(file)
                .withCheckpointEvery(f.checkpointEvery());
    }

    /** Stage k trains layer k and its head (and the layers below, if joint); the fine-tuning trains everything. */
    private void setTrainable(Stage s) {
        if (s.fineTuning()) {
            network.unfreeze();
            return;
        }
        network.freeze();
        s.model().freeze();
        int k = s.number();
        for (int i = settings.joint() ? 0 : k - 1; i < k; i++) {
            blocks.get(i).forEach(Module::unfreeze);
        }
        heads.get(k - 1).unfreeze();
    }

    /** A resumed run has checkpoints for its first stages only: a gap means the folder is not one run's. */
    private static void requireConsecutive(List<Path> files) throws IOException {
        int last = -1;
        for (int i = 0; i < files.size(); i++) {
            if (Files.isRegularFile(files.get(i))) {
                last = i;
            }
        }
        for (int i = 0; i < last; i++) {
            if (!Files.isRegularFile(files.get(i))) {
                throw new IOException(files.get(i) + " is missing, but " + files.get(last) + " exists: the stages of a "
                        + "greedy pretraining run write their checkpoints in order, so these are not one run's files");
            }
        }
    }

    /** Histories one after another, each epoch and step number moved past the ones before. */
    public static List<EpochMetrics> joined(List<List<EpochMetrics>> histories) {
        List<EpochMetrics> out = new ArrayList<>();
        int epochs = 0;
        long steps = 0;
        for (List<EpochMetrics> h : histories) {
            for (EpochMetrics m : h) {
                out.add(new EpochMetrics(epochs + m.epoch(), steps + m.step(), m.trainLoss(), m.trainAccuracy(),
                        m.validationLoss(), m.validationAccuracy(), m.testLoss(), m.testAccuracy(), m.learningRate(),
                        m.seconds(), m.samplesPerSecond(), m.averaged()));
            }
            if (!h.isEmpty()) {
                epochs += h.getLast().epoch();
                steps += h.getLast().step();
            }
        }
        return out;
    }
}
