package descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every option of every command says what it does and, unless it is a switch or required, its default. */
class HelpTest {

    @Test
    void everyOptionHasADescriptionAndItsDefault() {
        List<String> missing = new ArrayList<>();
        walk(new CommandLine(new Main()), missing);
        assertEquals(List.of(), missing, "options without a description or a default");
    }

    private static void walk(CommandLine cmd, List<String> missing) {
        for (CommandLine.Model.OptionSpec o : cmd.getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            String text = String.join(" ", o.description()).toLowerCase(Locale.ROOT);
            String where = cmd.getCommandSpec().qualifiedName() + " " + o.longestName();
            if (text.isBlank()) {
                missing.add(where + ": no description");
            } else if (!o.typeInfo().isBoolean() && !o.required() && !text.contains("default") && !text.contains("required")) {
                missing.add(where + ": no default");
            }
        }
        cmd.getSubcommands().values().forEach(sub -> walk(sub, missing));
    }
}
