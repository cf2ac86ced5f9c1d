package descent.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./descent completion}: a bash/zsh completion script for every command and option, made by picocli. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a bash (and zsh) completion script for ./descent: commands, options and their values.",
            "Use it with: source <(./descent completion)"})
final class CompletionCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        System.out.print(AutoComplete.bash("descent", spec.root().commandLine()));
        return ExitCodes.DONE;
    }
}
