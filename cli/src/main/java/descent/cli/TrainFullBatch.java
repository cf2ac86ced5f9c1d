package descent.cli;

import descent.data.Dataset;
import descent.io.AtomicFiles;
import descent.io.SafeTensors;
import descent.nn.Classifier;
import descent.optim.Minimizer;
import descent.train.DatasetLoss;
import descent.train.EpochMetrics;
import descent.train.Evaluation;
import descent.train.FullBatchTraining;
import descent.train.LossFunction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code train} with a full-batch method ({@link OptimizerNames#FULL_BATCH_TRAINING}): one
 * iteration of the method per epoch on the mean loss over the whole training set, into the same
 * run folder as a minibatch run (history, checkpoint after each iteration, model, report).
 */
final class TrainFullBatch {

    private TrainFullBatch() {}

    static int run(RunConfig c, Path dir, Classifier model, Dataset train, Dataset validation, Dataset test,
                   boolean resuming, ScriptOutput output) throws IOException {
        Minimizer method = OptimizerNames.minimizer(c.optimizer(), new Hyperparameters(c.hyperparameters()),
                model.trainableParameters());
        FullBatchTraining run = new FullBatchTraining(FullBatchTraining.Setup.of(model, method,
                new DatasetLoss(model, train, LossFunction.crossEntropy()), c.epochs()).withValidation(validation)
                .withTest(test));
        Path checkpoint = dir.resolve(TrainCommand.CHECKPOINT);
        if (resuming) {
            run.resume(checkpoint);
            System.out.printf("resuming %s after iteration %d%n", dir, run.history().size());
        }
        run.fit(checkpoint, m -> {
            iteration(dir, run.history(), m, c.epochs());
            output.epoch(m);
        });
        if (run.stopReason() != null) {
            System.out.println("  " + run.stopReason());
        }
        Evaluation result = Evaluation.of(model, test, LossFunction.crossEntropy(), 1000);
        SafeTensors.save(dir.resolve("model.safetensors"), model.stateDict(), Map.of("format", "pt",
                "descent_config", c.toJson()));
        new RunReport(c, run.history(), result, run.stopReason(), 0, model.parameterCount(), model.toString()).write(dir);
        output.done(String.format(Locale.ROOT, "test accuracy %.2f%%, test loss %.4f; %d loss evaluations; run folder %s "
                + "(open report.html)", 100 * result.accuracy(), result.loss(), run.history().isEmpty() ? 0
                : run.history().getLast().step(), dir), TrainCommand.TrainRun.result(dir, result, run.stopReason()));
        return run.stopReason() == null ? ExitCodes.DONE : ExitCodes.STOPPED_EARLY;
    }

    private static void iteration(Path dir, List<EpochMetrics> history, EpochMetrics e, int iterations) {
        System.out.printf(Locale.ROOT, "iteration %3d/%d  loss %.4f  acc %6.2f%%%s  │ test loss %.4f  acc %6.2f%%  │ "
                        + "%d evaluations, %.1f s%n", e.epoch(), iterations, e.trainLoss(), 100 * e.trainAccuracy(),
                Double.isNaN(e.validationLoss()) ? "" : String.format(Locale.ROOT, "  │ val loss %.4f  acc %6.2f%%",
                        e.validationLoss(), 100 * e.validationAccuracy()), e.testLoss(), 100 * e.testAccuracy(),
                e.step(), e.seconds());
        try {
            AtomicFiles.writeString(dir.resolve("history.csv"), EpochMetrics.csv(history));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
