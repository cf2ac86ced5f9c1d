package descent.cli;

import descent.io.Json;
import descent.train.Callback;
import descent.train.EpochMetrics;
import descent.train.Trainer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a training's output goes, for people or for scripts: by default the progress and the
 * summary on standard output; with {@code --quiet} only the summary line; with {@code --json} one
 * JSON object per epoch and a last one with the result on standard output, and the human lines on
 * standard error.
 */
final class ScriptOutput {

    private final boolean quiet;
    private final boolean json;
    private final PrintStream stdout;

    private ScriptOutput(boolean quiet, boolean json, PrintStream stdout) {
        this.quiet = quiet;
        this.json = json;
        this.stdout = stdout;
    }

    /** The output that {@code --quiet} and {@code --json} ask for, writing results to {@code stdout}. */
    static ScriptOutput of(boolean quiet, boolean json, PrintStream stdout) {
        if (quiet && json) {
            throw new IllegalArgumentException("--quiet prints only the summary line and --json prints JSON lines: "
                    + "give one of them");
        }
        return new ScriptOutput(quiet, json, stdout);
    }

    /** Where the progress and notes for a person go: standard output, nowhere, or standard error. */
    PrintStream human() {
        return json ? System.err : quiet ? new PrintStream(OutputStream.nullOutputStream()) : stdout;
    }

    /** A callback that writes each epoch's JSON line (it does nothing without {@code --json}). */
    Callback epochs() {
        return new Callback() {
            @Override
            public void onEpochEnd(Trainer trainer, EpochMetrics metrics) {
                epoch(metrics);
            }
        };
    }

    /** One epoch (or full-batch iteration) as a JSON line, with {@code --json}. */
    void epoch(EpochMetrics m) {
        if (!json) {
            return;
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("epoch", m.epoch());
        f.put("step", m.step());
        f.put("train_loss", m.trainLoss());
        f.put("train_accuracy", m.trainAccuracy());
        f.put("val_loss", m.validationLoss());
        f.put("val_accuracy", m.validationAccuracy());
        f.put("test_loss", m.testLoss());
        f.put("test_accuracy", m.testAccuracy());
        f.put("learning_rate", m.learningRate());
        f.put("seconds", m.seconds());
        f.put("samples_per_second", m.samplesPerSecond());
        stdout.println(line(f));
    }

    /** The run's result: {@code summary} for people, or a JSON line with {@code fields}. */
    void done(String summary, Map<String, Object> fields) {
        if (json) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("done", true);
            f.putAll(fields);
            stdout.println(line(f));
        } else {
            stdout.println(summary);
        }
    }

    private static String line(Map<String, Object> fields) {
        StringBuilder sb = new StringBuilder("{");
        fields.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(Json.quote(k)).append(": ")
                .append(value(v)));
        return sb.append('}').toString();
    }

    private static String value(Object v) {
        return switch (v) {
            case null -> "null";
            case Double d -> Double.isFinite(d) ? d.toString() : "null"; // JSON has no NaN
            case Number n -> n.toString();
            case Boolean b -> b.toString();
            default -> Json.quote(v.toString());
        };
    }
}
