package descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.GradCheck;
import descent.autograd.Tensor;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.nn.Activation;
import descent.nn.Classifier;
import descent.nn.Linear;
import descent.nn.Mlp;
import descent.nn.Module;
import descent.nn.Standardize;
import descent.optim.Optimizers;
import descent.optim.Schedules;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FitNetsTest {

    @TempDir
    Path dir;

    private static final Dataset TRAIN = TrainerTest.blobs(96, 1);
    private static final Dataset TEST = TrainerTest.blobs(32, 2);

    /** A wide, shallow classifier of the blobs (trained or not, its layers give hints). */
    private static Classifier teacher() {
        Dataset.Moments m = TRAIN.moments(false);
        return new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32),
                new Mlp(Mlp.Spec.of(36, 24, 3), SplitMix64.derive(7, "teacher")));
    }

    /** A thin, deep student with dropout (so each stage draws from the dropout generator). */
    private static Classifier student() {
        Dataset.Moments m = TRAIN.moments(false);
        return new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32),
                new Mlp(Mlp.Spec.of(36, 6, 6, 6, 6, 3).withActivation(Activation.tanh()).withDropout(0.1),
                        SplitMix64.derive(3, "student")));
    }

    private static final FitNets FITNETS = new FitNets(teacher(), "body.layers.1", "body.layers.3", 3,
            FitNets.linearLambda(4, 1, 12));

    private static FitNets.Plan plan(List<Callback> extra) {
        return new FitNets.Plan(DataLoader.shuffled(TRAIN, 16), null, TEST, 2, 2, 5,
                (params, steps) -> Optimizers.adam(0.01).over(params), (stage, epochs) -> extra, null, null);
    }

    @Test
    void theDistillationLossIsTheHandComputedOne() {
        double[] zs = {1.0, -0.5, 2.0, 0.3, 0.0, -1.2};
        double[] zt = {2.0, 0.5, -1.0, -0.4, 1.5, 0.2};
        int[] labels = {2, 1};
        double tau = 2.5;
        double lambda = 0.7;
        double expected = 0;
        for (int i = 0; i < 2; i++) {
            double[] s = {zs[3 * i], zs[3 * i + 1], zs[3 * i + 2]};
            double[] t = {zt[3 * i], zt[3 * i + 1], zt[3 * i + 2]};
            double hard = -Math.log(softmax(s, 1)[labels[i]]);
            double[] pt = softmax(t, tau);
            double[] ps = softmax(s, tau);
            double soft = 0;
            for (int c = 0; c < 3; c++) {
                soft -= pt[c] * Math.log(ps[c]);
            }
            expected += (hard + lambda * tau * tau * soft) / 2;
        }
        double got = KnowledgeDistillation.loss(Tensor.of(zs, 2, 3), Tensor.of(zt, 2, 3), labels, tau, lambda).item();
        assertEquals(expected, got, 1e-12);
        // λ = 0 is plain cross-entropy.
        assertEquals(descent.nn.Losses.crossEntropy(Tensor.of(zs, 2, 3), labels).item(),
                KnowledgeDistillation.loss(Tensor.of(zs, 2, 3), Tensor.of(zt, 2, 3), labels, tau, 0).item(), 1e-15);
    }

    private static double[] softmax(double[] z, double tau) {
        double sum = 0;
        double[] e = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            e[i] = Math.exp(z[i] / tau);
            sum += e[i];
        }
        for (int i = 0; i < z.length; i++) {
            e[i] /= sum;
        }
        return e;
    }

    @Test
    void theDistillationGradientMatchesFiniteDifferences() {
        NdArray zs = NdArray.randn(new SplitMix64(1), DType.FLOAT64, 4, 5);
        NdArray zt = NdArray.randn(new SplitMix64(2), DType.FLOAT64, 4, 5).mul(3);
        int[] labels = {0, 4, 2, 2};
        GradCheck.Result r = GradCheck.check(xs -> KnowledgeDistillation.loss(xs.get(0), Tensor.of(zt), labels, 3, 0.8),
                List.of(zs), 1e-6, 1e-7, 1e-5);
        assertTrue(r.passed(), r.toString());
        // The teacher gets no gradient: its logits are constants of the loss.
        Tensor teacher = Tensor.param(zt);
        KnowledgeDistillation.loss(Tensor.param(zs), teacher, labels, 3, 0.8).backward();
        assertTrue(teacher.grad() == null || java.util.Arrays.stream(teacher.grad().value().toDoubleArray()).allMatch(g -> g == 0));
    }

    @Test
    void theHintStageLowersTheHintLossAndTrainsOnlyTheLayersUpToTheGuidedOne() throws IOException {
        Classifier s = student();
        Map<String, NdArray> before = copy(s.stateDict());
        HintStage stage = HintStage.of(FITNETS.teacher(), "body.layers.1", s, "body.layers.3", FitNets.probe(TRAIN),
                new SplitMix64(9));
        assertEquals(List.of("student.body.layers.0.weight", "student.body.layers.0.bias",
                "student.body.layers.3.weight", "student.body.layers.3.bias", "regressor.weight", "regressor.bias"),
                List.copyOf(stage.trainedParameters().keySet()));
        assertEquals(24, stage.regressor().outFeatures());
        double initial = stage.meanLoss(TRAIN, 1000);
        Trainer t = new Trainer(Trainer.Setup.of(stage, Optimizers.adam(0.01).over(stage.trainedParameters()),
                DataLoader.shuffled(TRAIN, 16)).withLoss(HintStage.LOSS).withEpochs(8).withSeed(1));
        t.fit();
        double trained = stage.meanLoss(TRAIN, 1000);
        assertTrue(trained < 0.5 * initial, initial + " -> " + trained);
        Map<String, NdArray> after = s.stateDict();
        assertTrue(!before.get("body.layers.0.weight").equals(after.get("body.layers.0.weight")));
        for (String upper : List.of("body.layers.6.weight", "body.layers.9.weight", "body.layers.12.weight")) {
            assertArrayEquals(before.get(upper).toFloatArray(), after.get(upper).toFloatArray(), upper);
        }
    }

    @Test
    void anUnknownLayerNameListsTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new FitNets(teacher(), "body.layers.7",
                "body.layers.3", 3, Schedules.constant(1)).check(student(), TRAIN));
        assertTrue(e.getMessage().contains("the teacher's hint layer 'body.layers.7' is not a layer")
                && e.getMessage().contains("body.layers.0, body.layers.1, body.layers.2"), e.getMessage());
        var g = assertThrows(IllegalArgumentException.class, () -> new FitNets(teacher(), "body.layers.1",
                "layers.3", 3, Schedules.constant(1)).check(student(), TRAIN));
        assertTrue(g.getMessage().contains("the student's guided layer 'layers.3'")
                && g.getMessage().contains("body.layers.12"), g.getMessage());
    }

    @Test
    void aRegressorOfTheWrongWidthIsRefusedWithBothWidths() {
        Linear narrow = new Linear(6, 10, new SplitMix64(1));
        var e = assertThrows(IllegalArgumentException.class, () -> new HintStage(teacher(), "body.layers.1", student(),
                "body.layers.3", narrow, FitNets.probe(TRAIN)));
        assertEquals("the teacher's hint layer 'body.layers.1' has width 24, but the regressor's output has width 10",
                e.getMessage());
        Linear wide = new Linear(8, 24, new SplitMix64(1));
        var g = assertThrows(IllegalArgumentException.class, () -> new HintStage(teacher(), "body.layers.1", student(),
                "body.layers.3", wide, FitNets.probe(TRAIN)));
        assertEquals("the student's guided layer 'body.layers.3' has width 6, but the regressor takes 8 inputs",
                g.getMessage());
    }

    @Test
    void aTeacherWithOtherClassesIsRefused() {
        Classifier t = new Classifier(new Standardize(new float[] {0}, new float[] {1}, DType.FLOAT32),
                new Mlp(Mlp.Spec.of(36, 8, 5), new SplitMix64(1)));
        var e = assertThrows(IllegalArgumentException.class, () -> new FitNets(t, null, null, 3, Schedules.constant(1))
                .check(student(), TRAIN));
        assertTrue(e.getMessage().contains("[8, 5]") && e.getMessage().contains("[8, 3]"), e.getMessage());
    }

    @Test
    void bothStagesTrainAndTheStudentKeepsNoTraceOfTheRegressor() throws IOException {
        Classifier s = student();
        FitNets.Result r = FITNETS.train(s, plan(List.of()), false);
        assertEquals(2, r.hints().size());
        assertEquals(2, r.distillation().size());
        assertEquals(student().stateDict().keySet(), s.stateDict().keySet());
        assertTrue(Double.isFinite(r.distillation().getLast().testAccuracy()));
    }

    /** A run killed in the middle of either stage and resumed ends exactly where an uninterrupted one does. */
    @Test
    void aRunResumedMidStageIsBitExact() throws IOException {
        Classifier whole = student();
        FitNets.Result full = FITNETS.train(whole, plan(List.of()).checkpointedIn(Files.createDirectories(
                dir.resolve("whole"))), false);
        for (String stage : List.of("hints", "distillation")) {
            Path run = Files.createDirectories(dir.resolve(stage));
            FitNets.Plan killed = plan(List.of(new KillAfterEpoch(stage, 1))).checkpointedIn(run);
            assertThrows(Killed.class, () -> FITNETS.train(student(), killed, false));
            Classifier resumed = student();
            FitNets.Result r = FITNETS.train(resumed, plan(List.of()).checkpointedIn(run), true);
            whole.stateDict().forEach((k, v) -> assertArrayEquals(v.toFloatArray(),
                    resumed.stateDict().get(k).toFloatArray(), stage + ": " + k));
            assertEquals(csv(full), csv(r), stage);
        }
    }

    @Test
    void resumingARunThatNeverCheckpointedIsAClearError() {
        var e = assertThrows(IOException.class, () -> FITNETS.train(student(), plan(List.of()).checkpointedIn(dir), true));
        assertTrue(e.getMessage().contains("hints-checkpoint.safetensors does not exist"), e.getMessage());
    }

    /** The histories without their timings, which differ from run to run. */
    private static List<String> csv(FitNets.Result r) {
        List<String> out = new ArrayList<>();
        for (EpochMetrics m : r.hints()) {
            out.add(m.epoch() + " " + m.step() + " " + m.trainLoss());
        }
        for (EpochMetrics m : r.distillation()) {
            out.add(m.epoch() + " " + m.step() + " " + m.trainLoss() + " " + m.testLoss() + " " + m.testAccuracy());
        }
        return out;
    }

    private static Map<String, NdArray> copy(Map<String, NdArray> state) {
        Map<String, NdArray> out = new java.util.LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    private static final class Killed extends RuntimeException {}

    /** Stops the process, as a kill would, during the epoch after {@code epoch} of one stage. */
    private record KillAfterEpoch(String stage, int epoch) implements Callback {
        @Override
        public void onEpochEnd(Trainer trainer, EpochMetrics metrics) {
            if (metrics.epoch() == epoch + 1 && trainer.model() instanceof Module m
                    && (m instanceof HintStage) == stage.equals("hints")) {
                throw new Killed();
            }
        }
    }
}
