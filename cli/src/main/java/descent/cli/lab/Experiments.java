package descent.cli.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Every experiment of the lab, in the order of the notes, and the runner that writes their pages. */
public final class Experiments {

    private Experiments() {}

    public static List<Experiment> all() {
        return List.of(new InitVariance(), new Activations(), new SymmetryExperiment(), new DeepLinear(),
                new Optimizers2d(), new OptimizersMnist(), new Unbiasing(), new StepSize(), Comparison.batchNorm(),
                Comparison.dropout(), Comparison.weightDecay(), Comparison.earlyStopping(), Comparison.augmentation(),
                new Polyak(), new InputNormalization());
    }

    public static List<String> names() {
        return all().stream().map(Experiment::name).toList();
    }

    /** The experiment called {@code name}, or a clear error listing the names. */
    public static Experiment named(String name) {
        return all().stream().filter(e -> e.name().equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown experiment '" + name + "' (expected all or one of "
                        + String.join(", ", names()) + ")"));
    }

    /** What a run of several experiments produced. */
    public record Outcome(List<Lab> labs, List<String> failures) {
        public long agreeing() {
            return labs.stream().flatMap(l -> l.verdicts().stream()).filter(Verdict::holds).count();
        }

        public long verdicts() {
            return labs.stream().mapToLong(l -> l.verdicts().size()).sum();
        }
    }

    /**
     * Runs each experiment into {@code out/NAME/} with its page, then writes {@code out/index.html}
     * linking them. An experiment that fails is reported and the others still run.
     */
    public static Outcome run(List<Experiment> experiments, Path out, long seed, boolean quick, Lab.Data data,
                              PrintStream log) throws IOException {
        List<Lab> labs = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Experiment e : experiments) {
            log.println("== " + e.name() + ": " + e.title());
            long start = System.nanoTime();
            Lab lab = new Lab(e, out.resolve(e.name()), seed, quick, data, log);
            try {
                e.run(lab);
                Page.write(lab);
                labs.add(lab);
                log.printf(Locale.ROOT, "   %s/index.html (%.1f s)%n", lab.dir(), (System.nanoTime() - start) / 1e9);
            } catch (IOException | RuntimeException ex) {
                String message = e.name() + " failed: " + ex;
                failures.add(message);
                log.println(message);
                if (experiments.size() == 1) {
                    throw ex;
                }
            }
        }
        Page.index(out.resolve("index.html"), labs, failures);
        return new Outcome(labs, failures);
    }
}
