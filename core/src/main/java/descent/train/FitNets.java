package descent.train;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.nn.Mode;
import descent.nn.Module;
import descent.optim.Optimizer;
import descent.optim.Schedule;
import descent.optim.Schedules;
import descent.tensor.Shapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * FitNets (Romero et al., 2015, "FitNets: Hints for Thin Deep Nets", Algorithm 1): a thin, deep
 * student learns from a trained, wider teacher in two stages. Stage 1 ({@link HintStage}) trains
 * the student's layers up to its guided layer, through a regressor, to predict the teacher's hint
 * layer; stage 2 ({@link DistillStage}) trains the whole student, from there, by knowledge
 * distillation on the labels and the teacher's softened outputs. Without a hint ({@code hintLayer}
 * null) only stage 2 runs: knowledge distillation alone (Hinton et al., 2015).
 *
 * <p>Each stage is an ordinary {@link Trainer} run with its own checkpoint, so each resumes bit for
 * bit; the regressor lives only in stage 1 (and its checkpoint), and the student that comes out has
 * no trace of it.
 *
 * @param teacher     the trained teacher, run in evaluation mode and never trained
 * @param hintLayer   the teacher's hint layer by state-dict path ({@code body.layers.1}), or null
 * @param guidedLayer the student's guided layer by state-dict path, null exactly when hintLayer is
 * @param temperature τ of the softened outputs
 * @param lambda      the soft targets' weight λ as a function of stage 2's optimizer step
 */
public record FitNets(Module teacher, String hintLayer, String guidedLayer, double temperature, Schedule lambda) {

    public FitNets {
        Objects.requireNonNull(teacher, "teacher");
        Objects.requireNonNull(lambda, "lambda");
        if ((hintLayer == null) != (guidedLayer == null)) {
            throw new IllegalArgumentException("FitNets: a hint layer of the teacher and a guided layer of the student "
                    + "go together; give both, or neither for distillation alone");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("distillation: the temperature τ must be positive and finite, got "
                    + temperature);
        }
    }

    /** λ annealed linearly from {@code start} to {@code end} over {@code steps} optimizer steps, then {@code end}. */
    public static Schedule linearLambda(double start, double end, long steps) {
        return Schedules.polynomial(start, end, 1, steps);
    }

    public boolean hasHints() {
        return hintLayer != null;
    }

    /** A stage's optimizer over the parameters it trains, for a stage of {@code steps} steps (for schedules). */
    @FunctionalInterface
    public interface OptimizerFactory {
        Optimizer over(Map<String, Tensor> params, long steps);
    }

    /** A stage's callbacks (a progress bar, a history file), given its name and number of epochs. */
    @FunctionalInterface
    public interface CallbackFactory {
        List<Callback> of(String stage, int epochs);
    }

    /**
     * How to train the stages: the data, the epochs of each ({@code hintEpochs} ignored without
     * hints), the seed of both trainers, each stage's optimizer and callbacks, and the checkpoint
     * file of each (null for none).
     */
    public record Plan(DataLoader train, Dataset validation, Dataset test, int hintEpochs, int epochs, long seed,
                       OptimizerFactory optimizer, CallbackFactory callbacks, Path hintCheckpoint, Path checkpoint) {
        public Plan {
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(optimizer, "optimizer");
            Objects.requireNonNull(callbacks, "callbacks");
            if (epochs < 1) {
                throw new IllegalArgumentException("distillation needs at least 1 epoch, got " + epochs);
            }
        }

        /** Stage 1 checkpointed into {@code dir/hints-checkpoint.safetensors}, stage 2 into {@code dir/checkpoint.safetensors}. */
        public Plan checkpointedIn(Path dir) {
            return new Plan(train, validation, test, hintEpochs, epochs, seed, optimizer, callbacks,
                    dir.resolve(HINT_CHECKPOINT), dir.resolve(CHECKPOINT));
        }
    }

    public static final String HINT_CHECKPOINT = "hints-checkpoint.safetensors";
    public static final String CHECKPOINT = "checkpoint.safetensors";

    /** What the stages measured: stage 1's history (empty without hints), stage 2's, and its trainer. */
    public record Result(List<EpochMetrics> hints, List<EpochMetrics> distillation, Trainer trainer) {}

    /** The first inputs of the training set: what measures the layers' widths. */
    static Tensor probe(Dataset train) {
        return Tensor.of(train.batch(0, Math.min(8, train.size())).inputs());
    }

    /** Refuses a student whose layer names or widths do not fit this teacher, before any training. */
    public void check(Module student, Dataset train) {
        Tensor probe = probe(train);
        if (hasHints()) {
            HintStage.of(teacher, hintLayer, student, guidedLayer, probe, new SplitMix64(0));
        }
        int[] t;
        int[] s;
        try (var _ = GradMode.noGrad()) {
            t = teacher.forward(probe, Mode.EVAL).shape();
            s = student.forward(probe, Mode.EVAL).shape();
        }
        if (t.length != 2 || s.length != 2 || t[1] != s[1]) {
            throw new IllegalArgumentException("the teacher gives " + Shapes.str(t) + " outputs and the "
                    + "student " + Shapes.str(s) + ": distillation needs the same classes");
        }
    }

    /**
     * Trains {@code student} in place through both stages (or stage 2 alone without hints). With
     * {@code resume}, each stage whose checkpoint exists continues from it (a finished stage 1
     * only restores the student it ended with); a stage 2 that never wrote one starts from the
     * end of stage 1, as it would have.
     */
    public Result train(Module student, Plan plan, boolean resume) throws IOException {
        check(student, plan.train().dataset());
        List<EpochMetrics> hintHistory = List.of();
        if (hasHints() && plan.hintEpochs() > 0) {
            HintStage stage = HintStage.of(teacher, hintLayer, student, guidedLayer, probe(plan.train().dataset()),
                    SplitMix64.derive(plan.seed(), "regressor"));
            long steps = (long) plan.hintEpochs() * plan.train().batches(plan.train().dataset().size());
            Trainer hints = new Trainer(Trainer.Setup.of(stage, plan.optimizer().over(stage.trainedParameters(), steps),
                            plan.train()).withLoss(HintStage.LOSS).withEpochs(plan.hintEpochs()).withSeed(plan.seed())
                    .withCallbacks(plan.callbacks().of("hints", plan.hintEpochs())).withCheckpoint(plan.hintCheckpoint()));
            if (resume) {
                requireCheckpoint(plan.hintCheckpoint(), "stage 1 (hints)");
                hints.resume(plan.hintCheckpoint());
            }
            hintHistory = hints.fit();
        }
        DistillStage stage = new DistillStage(teacher, student, temperature, lambda);
        long steps = (long) plan.epochs() * plan.train().batches(plan.train().dataset().size());
        Optimizer optimizer = plan.optimizer().over(stage.trainableParameters(), steps);
        Trainer distill = new Trainer(Trainer.Setup.of(stage, optimizer, plan.train()).withLoss(stage.loss(optimizer))
                .withValidation(plan.validation()).withTest(plan.test()).withEpochs(plan.epochs()).withSeed(plan.seed())
                .withCallbacks(plan.callbacks().of("distillation", plan.epochs())).withCheckpoint(plan.checkpoint()));
        boolean stage1Ran = hasHints() && plan.hintEpochs() > 0;
        if (resume && plan.checkpoint() != null && Files.isRegularFile(plan.checkpoint())) {
            distill.resume(plan.checkpoint());
        } else if (resume && !stage1Ran) {
            requireCheckpoint(plan.checkpoint(), "distillation");
        }
        return new Result(hintHistory, distill.fit(), distill);
    }

    private static void requireCheckpoint(Path file, String stage) throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            throw new IOException((file == null ? "no checkpoint file" : file + " does not exist") + ": the run's "
                    + stage + " stage ended before its first epoch, so there is nothing to resume; start it again");
        }
    }
}
