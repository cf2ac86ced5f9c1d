package descent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./descent}. */
@Command(name = "descent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Deep learning in pure Java: train networks and see why training works or fails.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:done",
            "1:failed (a non-finite value in training, a lab verdict that differs, a bug)",
            "2:bad usage or input (a refused option, a missing or corrupt file)",
            "3:training stopped early (early stopping, or a full-batch method that stalled)"},
        subcommands = {TrainCommand.class, DistillCommand.class, EvaluateCommand.class, ExportCommand.class,
            ExperimentCommand.class, TrajectoryCommand.class, BenchCommand.class, ConvertHparamsCommand.class,
            CompletionCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    static int run(String... args) {
        return execute(new Main(), args);
    }

    /**
     * Runs {@code root}'s command line (this tool's, or another module's such as {@code spark}) and
     * returns its exit code: bad input exits 2 with its message, not a stack trace.
     */
    public static int execute(Object root, String... args) {
        System.setProperty("java.awt.headless", "true"); // plots are drawn off screen
        CommandLine cl = new CommandLine(root);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // Bad input gets its message, not a stack trace; bugs keep theirs.
            if (e instanceof java.io.UncheckedIOException u) {
                e = u.getCause();
            }
            if (e instanceof descent.train.NonFiniteException) {
                cmd.getErr().println("descent " + cmd.getCommandName() + ": " + e.getMessage());
                return ExitCodes.FAILED;
            }
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException
                    || e instanceof IllegalStateException) {
                cmd.getErr().println("descent " + cmd.getCommandName() + ": " + e.getMessage());
                return ExitCodes.USAGE;
            }
            throw e;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"descent " + (v != null ? v : "development") + " (Java "
                    + Runtime.version().feature() + ", kernels: " + descent.kernels.Kernels.get().name() + ")"};
        }
    }
}
