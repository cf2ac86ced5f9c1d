package descent.cli;

import descent.cli.plot.LinePlot;
import descent.io.AtomicFiles;
import descent.train.Callback;
import descent.train.EpochMetrics;
import descent.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The history of a run trained in stages as one: each stage's epochs numbered on from the last
 * stage's, steps counted on likewise, in {@code history.csv} (rewritten after every epoch) and
 * {@code stages.csv} (each stage's name, first and last epoch, and what its training loss is); a
 * plot of the loss with each stage's curve of its own ({@code stages.png}) and a section for the
 * report. A stage's callback comes from {@link #stage}.
 */
final class StageHistory {

    /** A stage as the history shows it: its name, what its train loss measures, its epochs so far. */
    record Stage(String name, String loss, List<EpochMetrics> epochs) {}

    private final Path dir;
    private final List<Stage> stages = new ArrayList<>();

    StageHistory(Path dir) {
        this.dir = dir;
    }

    /**
     * The callback of the next stage. Its epochs go into the history as the trainer reports them;
     * {@code classifies} says whether its training accuracy means anything (a hint stage's outputs
     * are not class scores, so its accuracy is left empty).
     */
    Callback stage(String name, String loss, boolean classifies) {
        Stage s = new Stage(name, loss, new ArrayList<>());
        stages.add(s);
        return new Callback() {
            @Override
            public void onTrainStart(Trainer trainer) {
                sync(trainer); // a resumed stage starts with the epochs of its checkpoint
            }

            @Override
            public void onEpochEnd(Trainer trainer, EpochMetrics metrics) {
                sync(trainer);
            }

            private void sync(Trainer trainer) {
                s.epochs().clear();
                for (EpochMetrics m : trainer.history()) {
                    s.epochs().add(classifies ? m : new EpochMetrics(m.epoch(), m.step(), m.trainLoss(), Double.NaN,
                            m.validationLoss(), m.validationAccuracy(), m.testLoss(), m.testAccuracy(),
                            m.learningRate(), m.seconds(), m.samplesPerSecond(), m.averaged()));
                }
                try {
                    write();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** Every stage's epochs, numbered on across stages. */
    List<EpochMetrics> combined() {
        List<EpochMetrics> out = new ArrayList<>();
        int epochs = 0;
        long steps = 0;
        for (Stage s : stages) {
            for (EpochMetrics m : s.epochs()) {
                out.add(new EpochMetrics(epochs + m.epoch(), steps + m.step(), m.trainLoss(), m.trainAccuracy(),
                        m.validationLoss(), m.validationAccuracy(), m.testLoss(), m.testAccuracy(), m.learningRate(),
                        m.seconds(), m.samplesPerSecond(), m.averaged()));
            }
            if (!s.epochs().isEmpty()) {
                epochs += s.epochs().getLast().epoch();
                steps += s.epochs().getLast().step();
            }
        }
        return out;
    }

    private void write() throws IOException {
        AtomicFiles.writeString(dir.resolve("history.csv"), EpochMetrics.csv(combined()));
        StringBuilder sb = new StringBuilder("stage,first_epoch,last_epoch,train_loss\n");
        int first = 1;
        for (Stage s : stages) {
            int n = s.epochs().isEmpty() ? 0 : s.epochs().getLast().epoch();
            sb.append(s.name()).append(',').append(first).append(',').append(first + n - 1).append(',').append(s.loss())
                    .append('\n');
            first += n;
        }
        AtomicFiles.writeString(dir.resolve("stages.csv"), sb.toString());
    }

    /**
     * Draws {@code stages.png}, each stage's training loss its own curve on the run's epoch axis
     * beside the test cross-entropy, and puts a "Stages" section into the report before its curves.
     */
    void report(String describe) throws IOException {
        LinePlot plot = new LinePlot("Loss by stage", "epoch (all stages)", "loss (log scale)").logY();
        List<EpochMetrics> all = combined();
        int offset = 0;
        StringBuilder rows = new StringBuilder();
        for (Stage s : stages) {
            int n = s.epochs().size();
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = offset + s.epochs().get(i).epoch();
                y[i] = s.epochs().get(i).trainLoss();
            }
            plot.series(s.name() + ": train " + s.loss(), x, y);
            rows.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>%n",
                    RunReport.escape(s.name()), n == 0 ? "–" : (offset + 1) + "–" + (offset + n), RunReport.escape(s.loss()),
                    n == 0 ? "–" : String.format(Locale.ROOT, "%.4f", s.epochs().getLast().trainLoss())));
            offset += n;
        }
        plot.series("test cross-entropy", all.stream().mapToDouble(EpochMetrics::epoch).toArray(),
                all.stream().mapToDouble(EpochMetrics::testLoss).toArray());
        plot.write(dir.resolve("stages.png"), 800, 500);
        String section = "<h2>Stages</h2>\n<p>" + RunReport.escape(describe) + ". The loss plot below joins the stages' "
                + "training losses, which measure different things (stages.csv):</p>\n<table><tr><th>stage</th>"
                + "<th>epochs</th><th>training loss</th><th>last</th></tr>\n" + rows + "</table>\n"
                + "<img src=\"stages.png\" alt=\"loss of each stage by epoch\">\n";
        Path html = dir.resolve("report.html");
        String page = Files.readString(html);
        AtomicFiles.writeString(html, page.replace("<h2>Curves</h2>", section + "<h2>Curves</h2>"));
    }
}
