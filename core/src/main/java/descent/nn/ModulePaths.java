package descent.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds a module by the name a user gives it: its dotted path in the model ({@code body.layers.2},
 * as in the state dict's keys) or, where unambiguous, the end of that path ({@code layers.2}, the
 * path inside an MLP that a classifier wraps).
 */
public final class ModulePaths {

    private ModulePaths() {}

    /**
     * The full dotted path of the module {@code name} in {@code root}: the name itself when it is a
     * path, else the one path that ends in {@code "." + name}. An unknown or ambiguous name is an
     * error that lists the module paths.
     */
    public static String resolve(Module root, String name) {
        List<String> paths = new ArrayList<>(root.namedModules().keySet());
        paths.remove("");
        if (paths.contains(name)) {
            return name;
        }
        List<String> endings = paths.stream().filter(p -> p.endsWith("." + name)).toList();
        if (endings.size() == 1) {
            return endings.getFirst();
        }
        if (endings.isEmpty()) {
            throw new IllegalArgumentException("no layer '" + name + "' in " + root.getClass().getSimpleName()
                    + "; its layers: " + String.join(", ", paths));
        }
        throw new IllegalArgumentException("layer '" + name + "' is ambiguous in " + root.getClass().getSimpleName()
                + ": it ends " + String.join(", ", endings) + "; give the whole path");
    }
}
