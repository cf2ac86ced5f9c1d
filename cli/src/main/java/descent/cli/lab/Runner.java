package descent.cli.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Runs experiments, each into its own folder with its page, and writes the index that links them. */
public final class Runner {

    private Runner() {}

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
                e.body().run(lab);
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
