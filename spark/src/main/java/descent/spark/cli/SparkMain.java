package descent.spark.cli;

import descent.cli.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./descent spark}: Descent's training on an Apache Spark cluster. */
@Command(name = "descent spark", mixinStandardHelpOptions = true,
        description = "Train on Apache Spark: an in-process local[N] Spark, or a standalone cluster.",
        subcommands = {SparkTrainCommand.class, SparkClusterCommand.class, CommandLine.HelpCommand.class})
public final class SparkMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(Main.execute(new SparkMain(), args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
