package descent.cli;

import picocli.CommandLine.Command;

/** Groups the benchmarks. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure kernel throughput.",
        subcommands = {GemmBench.class, TrainBench.class})
final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
