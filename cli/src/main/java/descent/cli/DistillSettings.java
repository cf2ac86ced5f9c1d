package descent.cli;

import descent.io.AtomicFiles;
import descent.io.Json;
import descent.optim.Schedule;
import descent.train.FitNets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code ./descent distill} adds to a training run's settings, kept in the run folder's
 * {@code distill.json} beside its ordinary {@code config.json} (which describes the student, so
 * {@code evaluate} reads a distilled run as any other): the teacher's run folder, the hint and
 * guided layers (null for distillation alone), stage 1's epochs, τ, and λ from START to END.
 */
record DistillSettings(Path teacher, String hint, String guided, int hintEpochs, double temperature,
                       double lambdaStart, double lambdaEnd) {

    static final String FILE = "distill.json";

    DistillSettings {
        if ((hint == null) != (guided == null)) {
            throw new IllegalArgumentException("--hint (a layer of the teacher) and --guided (a layer of the student) "
                    + "go together: give both for hints, neither for distillation alone");
        }
        if (hint == null && hintEpochs != 0) {
            throw new IllegalArgumentException("--hint-epochs is the length of the hint stage: give --hint and --guided "
                    + "too, or leave it out");
        }
        if (hint != null && hintEpochs < 1) {
            throw new IllegalArgumentException("--hint-epochs must be at least 1, got " + hintEpochs);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be positive, got " + temperature);
        }
        if (!(lambdaStart >= 0 && lambdaEnd >= 0) || Double.isInfinite(lambdaStart) || Double.isInfinite(lambdaEnd)) {
            throw new IllegalArgumentException("--lambda weights must be >= 0, got " + lambdaStart + ":" + lambdaEnd);
        }
    }

    /** {@code START[:END]}: λ annealed linearly from START to END over the distillation stage (END = START if absent). */
    static double[] parseLambda(String spec) {
        String[] p = spec.split(":", -1);
        try {
            if (p.length == 1 || p.length == 2) {
                double start = Double.parseDouble(p[0]);
                return new double[] {start, p.length == 2 ? Double.parseDouble(p[1]) : start};
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("--lambda takes START or START:END (numbers >= 0), got '" + spec + "'");
    }

    /** λ by stage 2's optimizer step, over {@code steps} steps. */
    Schedule lambda(long steps) {
        return FitNets.linearLambda(lambdaStart, lambdaEnd, Math.max(1, steps));
    }

    String lambdaText() {
        return lambdaStart == lambdaEnd ? num(lambdaStart) : num(lambdaStart) + ":" + num(lambdaEnd);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** One line for the console and the report: what teaches the student, and how. */
    String describe() {
        return String.format(Locale.ROOT, "teacher %s; %s; τ = %s, λ = %s", teacher,
                hint == null ? "distillation alone" : "hints from " + hint + " to " + guided + " for " + hintEpochs
                        + " epochs, then distillation", num(temperature), lambdaText());
    }

    void write(Path dir) throws IOException {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("teacher", Json.quote(teacher.toString()));
        f.put("hint", hint == null ? "null" : Json.quote(hint));
        f.put("guided", guided == null ? "null" : Json.quote(guided));
        f.put("hint_epochs", Integer.toString(hintEpochs));
        f.put("temperature", Double.toString(temperature));
        f.put("lambda_start", Double.toString(lambdaStart));
        f.put("lambda_end", Double.toString(lambdaEnd));
        StringBuilder sb = new StringBuilder("{\n");
        f.forEach((k, v) -> sb.append(sb.length() > 2 ? ",\n" : "").append("  ").append(Json.quote(k)).append(": ").append(v));
        AtomicFiles.writeString(dir.resolve(FILE), sb.append("\n}\n").toString());
    }

    static DistillSettings read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist: not a run folder written by ./descent distill");
        }
        if (!(Json.read(Files.readString(file), file.toString()) instanceof Map<?, ?> m)) {
            throw new IOException(file + ": expected a JSON object");
        }
        try {
            return new DistillSettings(Path.of((String) m.get("teacher")), (String) m.get("hint"),
                    (String) m.get("guided"), ((Number) m.get("hint_epochs")).intValue(),
                    ((Number) m.get("temperature")).doubleValue(), ((Number) m.get("lambda_start")).doubleValue(),
                    ((Number) m.get("lambda_end")).doubleValue());
        } catch (ClassCastException | NullPointerException e) {
            throw new IOException(file + ": a setting is missing or has the wrong type (" + e.getMessage() + ")");
        }
    }
}
