package descent.cli;

import descent.cli.plot.LinePlot;
import descent.io.AtomicFiles;
import descent.io.Json;
import descent.train.EpochMetrics;
import descent.train.Evaluation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A finished run's summary: {@code metrics.json}, loss and accuracy curves as PNG, and
 * {@code report.html}, a self-contained page (plots beside it, no scripts, nothing fetched) that a
 * browser opens offline. A run trained in stages (greedy pretraining) names each epoch's stage in
 * {@code stages}, and the plots mark where each stage begins; null for a run in one go.
 */
public record RunReport(RunConfig config, List<EpochMetrics> history, Evaluation test, String stopReason, int bestEpoch,
                 long parameters, String modelText, List<String> stages) {

    /** A run trained in one go. */
    public RunReport(RunConfig config, List<EpochMetrics> history, Evaluation test, String stopReason, int bestEpoch,
                     long parameters, String modelText) {
        this(config, history, test, stopReason, bestEpoch, parameters, modelText, null);
    }

    public RunReport {
        if (stages != null && stages.size() != history.size()) {
            throw new IllegalArgumentException("a stage for each of the " + history.size() + " epochs, got "
                    + stages.size());
        }
    }

    public void write(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve("metrics.json"), metricsJson());
        double[] epoch = column(m -> m.epoch());
        withStages(new LinePlot("Loss", "epoch", "cross-entropy (log scale)").logY())
                .series("train", epoch, column(EpochMetrics::trainLoss))
                .series("validation", epoch, column(EpochMetrics::validationLoss))
                .series("test", epoch, column(EpochMetrics::testLoss))
                .write(dir.resolve("loss.png"), 800, 500);
        withStages(new LinePlot("Accuracy", "epoch", "accuracy (%)"))
                .series("train", epoch, column(m -> 100 * m.trainAccuracy()))
                .series("validation", epoch, column(m -> 100 * m.validationAccuracy()))
                .series("test", epoch, column(m -> 100 * m.testAccuracy()))
                .write(dir.resolve("accuracy.png"), 800, 500);
        withStages(new LinePlot("Learning rate", "epoch", "learning rate at the epoch's last step"))
                .series("learning rate", epoch, column(EpochMetrics::learningRate))
                .write(dir.resolve("learning_rate.png"), 800, 350);
        AtomicFiles.writeString(dir.resolve("report.html"), html());
    }

    /** A dashed line before the first epoch of each stage, labelled with its name. */
    private LinePlot withStages(LinePlot plot) {
        for (int i = 0; stages != null && i < stages.size(); i++) {
            if (i == 0 || !stages.get(i).equals(stages.get(i - 1))) {
                plot.marker(history.get(i).epoch() - 0.5, stages.get(i));
            }
        }
        return plot;
    }

    /** The stages as a paragraph (which epochs each took), empty for a run in one go. */
    private String stagesNote() {
        if (stages == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder("<p>Greedy layer-wise pretraining " + escape(config.pretrain())
                + ": each hidden layer trained in turn with a temporary output head on the layers below ("
                + (config.pretraining().joint() ? "trained with it" : "frozen") + "), then the whole network "
                + "fine-tuned. ");
        for (int i = 0; i < stages.size(); i++) {
            if (i == 0 || !stages.get(i).equals(stages.get(i - 1))) {
                int last = i;
                while (last + 1 < stages.size() && stages.get(last + 1).equals(stages.get(i))) {
                    last++;
                }
                sb.append(i == 0 ? "" : "; ").append(escape(stages.get(i))).append(last == i ? ": epoch " : ": epochs ")
                        .append(history.get(i).epoch()).append(last == i ? "" : "–" + history.get(last).epoch());
            }
        }
        return sb.append(" (history.csv: stage).</p>").toString();
    }

    double trainSeconds() {
        return history.stream().mapToDouble(EpochMetrics::seconds).sum();
    }

    double samplesPerSecond() {
        double examples = history.stream().mapToDouble(m -> m.seconds() * m.samplesPerSecond()).sum();
        return examples / Math.max(trainSeconds(), 1e-9);
    }

    String metricsJson() {
        StringBuilder sb = new StringBuilder("{\n");
        field(sb, "test_accuracy", num(test.accuracy()));
        field(sb, "test_loss", num(test.loss()));
        field(sb, "epochs", Integer.toString(history.size()));
        field(sb, "train_seconds", num(trainSeconds()));
        field(sb, "samples_per_second", num(samplesPerSecond()));
        if (!history.isEmpty()) {
            EpochMetrics last = history.getLast();
            field(sb, "steps", Long.toString(last.step()));
            field(sb, "final_train_loss", num(last.trainLoss()));
            field(sb, "final_train_accuracy", num(last.trainAccuracy()));
            if (!Double.isNaN(last.validationLoss())) {
                field(sb, "final_validation_loss", num(last.validationLoss()));
                field(sb, "final_validation_accuracy", num(last.validationAccuracy()));
            }
        }
        if (bestEpoch > 0) {
            field(sb, "best_epoch", Integer.toString(bestEpoch));
        }
        if (config.pretrain() != null) {
            field(sb, "pretrain", Json.quote(config.pretrain()));
        }
        if (config.average() != null) {
            field(sb, "average", Json.quote(config.average())); // the test metrics above are of the averaged weights
        }
        field(sb, "parameters", Long.toString(parameters));
        field(sb, "stop_reason", stopReason == null ? "null" : Json.quote(stopReason));
        sb.setLength(sb.length() - 2);
        return sb.append("\n}\n").toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append("  ").append(Json.quote(name)).append(": ").append(value).append(",\n");
    }

    private static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    private double[] column(java.util.function.ToDoubleFunction<EpochMetrics> f) {
        return history.stream().mapToDouble(f).toArray();
    }

    private String html() {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < history.size(); i++) {
            EpochMetrics m = history.get(i);
            if (stages != null && (i == 0 || !stages.get(i).equals(stages.get(i - 1)))) {
                rows.append("<tr><th colspan=\"10\" style=\"text-align: left\">stage: ").append(escape(stages.get(i)))
                        .append("</th></tr>\n");
            }
            rows.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.2f</td><td>%s</td><td>%s</td>"
                            + "<td>%s</td><td>%s</td><td>%.3g</td><td>%.1f</td><td>%s</td></tr>%n", m.epoch(), m.trainLoss(),
                    100 * m.trainAccuracy(), fmt(m.validationLoss(), 1), fmt(m.validationAccuracy(), 100), fmt(m.testLoss(), 1),
                    fmt(m.testAccuracy(), 100), m.learningRate(), m.seconds(), ProgressBar.thousands(m.samplesPerSecond())));
        }
        String stop = stopReason == null ? "" : "<p>Stopped early: " + escape(stopReason)
                + (bestEpoch > 0 ? "; the model has the weights of epoch " + bestEpoch + "." : "") + "</p>";
        stop += averagingNote() + stagesNote();
        return """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Descent run: %s</title>
                <style>
                body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
                .headline { font-size: 2.2rem; font-weight: 600; margin: 0.2rem 0; }
                .cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
                .card { background: #f4f6f8; border-radius: 8px; padding: 0.8rem 1.2rem; min-width: 9rem; }
                .card b { display: block; font-size: 1.4rem; }
                table { border-collapse: collapse; font-size: 0.9rem; }
                td, th { padding: 0.25rem 0.6rem; text-align: right; border-bottom: 1px solid #e3e3e3; }
                img { max-width: 100%%; }
                pre { background: #f4f6f8; padding: 0.8rem; overflow-x: auto; font-size: 0.85rem; }
                </style></head><body>
                <h1>%s</h1>
                <div class="headline">%.2f%% test accuracy</div>
                <div class="cards">
                <div class="card">test loss<b>%.4f</b></div>
                <div class="card">epochs<b>%d</b></div>
                <div class="card">training time<b>%.1f s</b></div>
                <div class="card">throughput<b>%s samples/s</b></div>
                <div class="card">parameters<b>%,d</b></div>
                </div>
                %s
                <h2>Curves</h2>
                <img src="loss.png" alt="loss by epoch"><img src="accuracy.png" alt="accuracy by epoch">
                <img src="learning_rate.png" alt="learning rate by epoch">
                <h2>Epochs</h2>
                <table><tr><th>epoch</th><th>train loss</th><th>train acc %%</th><th>val loss</th><th>val acc %%</th>
                <th>test loss</th><th>test acc %%</th><th>lr</th><th>seconds</th><th>samples/s</th></tr>
                %s</table>
                %s
                <h2>Confusion matrix (test set)</h2>
                <p>A row per true class, a column per predicted class: the diagonal is right, the rest shows which
                classes the model mixes up.</p>
                %s
                <h2>Model</h2><pre>%s</pre>
                <h2>Settings</h2><pre>%s</pre>
                <p>Files: config.json, history.csv, metrics.json, model.safetensors, checkpoint.safetensors.</p>
                </body></html>
                """.formatted(escape(config.dataset()), escape(config.dataset() + " · " + TrainCommand.TrainRun.optimizerLabel(config)),
                100 * test.accuracy(), test.loss(), history.size(), trainSeconds(), ProgressBar.thousands(samplesPerSecond()),
                parameters, stop, rows, config.probes() > 0 ? "<h2>Inside the network</h2><p>Every layer's activation "
                        + "norm per example, sampled every " + config.probes() + " steps (probes.csv also has the "
                        + "gradients and update ratios).</p><img src=\"probes.png\" alt=\"activation norms by layer\">" : "",
                confusionTable(), escape(modelText), escape(config.toJson()));
    }

    /** Which weights the metrics are of, where the run averages its iterates; empty otherwise. */
    private String averagingNote() {
        if (config.average() == null) {
            return "";
        }
        int from = history.stream().filter(EpochMetrics::averaged).mapToInt(EpochMetrics::epoch).min().orElse(0);
        return "<p>Iterate averaging " + escape(config.average()) + ": the validation and test metrics "
                + (from == 0 ? "(no epoch had an average yet) are of the trained weights."
                : (from == 1 ? "" : "from epoch " + from + " on ") + "are of the averaged weights, and so are the model "
                + "saved and the test accuracy above (history.csv: averaged_weights).") + "</p>";
    }

    /** The test set's confusion matrix as an HTML table, off-diagonal cells shaded by their share of the row. */
    private String confusionTable() {
        int[][] m = test.confusion();
        StringBuilder sb = new StringBuilder("<table><tr><th>true \\ predicted</th>");
        for (int p = 0; p < m.length; p++) {
            sb.append("<th>").append(p).append("</th>");
        }
        sb.append("</tr>");
        for (int t = 0; t < m.length; t++) {
            int row = java.util.Arrays.stream(m[t]).sum();
            sb.append("<tr><th>").append(t).append("</th>");
            for (int p = 0; p < m.length; p++) {
                double share = row == 0 ? 0 : (double) m[t][p] / row;
                String shade = p == t ? "" : String.format(Locale.ROOT, " style=\"background: rgba(214, 39, 40, %.2f)\"",
                        Math.min(0.8, 8 * share));
                sb.append("<td").append(m[t][p] == 0 ? "" : shade).append('>').append(m[t][p]).append("</td>");
            }
            sb.append("</tr>");
        }
        return sb.append("</table>").toString();
    }

    private static String fmt(double v, double scale) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, scale == 1 ? "%.4f" : "%.2f", v * scale);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
