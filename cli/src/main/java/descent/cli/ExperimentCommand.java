package descent.cli;

import descent.cli.lab.Experiment;
import descent.cli.lab.Runner;
import descent.cli.lab.experiments.Experiments;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./descent experiment NAME|all}: the lab. */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reproduce a lesson of the notes: CSV data, PNG plots, an HTML page and verdict lines that put",
            "the measured quantity beside the expected one. 'all' runs every experiment and links them from one",
            "index.html; 'list' names them."})
final class ExperimentCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "all, list, or one of: ${COMPLETION-CANDIDATES}",
            completionCandidates = Names.class)
    String name;

    @Mixin
    RunOptions common;

    @Option(names = "--quick", description = "Fewer steps, epochs and examples: a smoke run of the same code, not the "
            + "lesson (verdicts may not hold).")
    boolean quick;

    @Option(names = "--fashion-data-dir", paramLabel = "DIR", description = "Folder with Fashion-MNIST's IDX files, for "
            + "the experiments that use it (default: downloaded into the user cache).")
    Path fashionDataDir;

    static final class Names implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Experiments.names().iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (name.equals("list")) {
            Experiments.all().forEach(e -> System.out.printf("%-20s %s%n", e.name(), e.title()));
            return 0;
        }
        List<Experiment> chosen = name.equals("all") ? Experiments.all() : List.of(Experiments.named(name));
        common.applyThreads();
        Path out = common.outOr(Path.of("runs", "lab"));
        Runner.Outcome outcome = Runner.run(chosen, out, common.seedOr(0), quick,
                new LabData(common.dataDir, fashionDataDir), System.out);
        System.out.printf("%d of %d verdicts agree with theory%s; report: %s%n", outcome.agreeing(), outcome.verdicts(),
                quick && outcome.agreeing() < outcome.verdicts() ? " (--quick: a smoke run, not judged)" : "",
                out.resolve(chosen.size() == 1 ? chosen.getFirst().name() + "/index.html" : "index.html"));
        return exitCode(outcome, quick);
    }

    /** 1 when an experiment failed, or, at full size, when a verdict differs from theory; 0 otherwise. */
    static int exitCode(Runner.Outcome outcome, boolean quick) {
        boolean differs = outcome.agreeing() < outcome.verdicts();
        return !outcome.failures().isEmpty() || differs && !quick ? 1 : 0;
    }
}
