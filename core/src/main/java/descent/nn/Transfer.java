package descent.nn;

import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starting a model from another one's weights (transfer learning, fine-tuning): load a saved state
 * dict except into the modules that start afresh (a new output layer for new classes, say), then
 * freeze the modules that should keep what they learned. Modules are named as
 * {@link ModulePaths#resolve} finds them.
 */
public final class Transfer {

    private Transfer() {}

    /**
     * Loads {@code state} into {@code model}, except into the modules named in {@code fresh}, which
     * keep their current values; {@code state}'s entries under them, whatever their shapes, are
     * ignored. Every other entry must fit exactly: a missing, unexpected or mismatched one (with
     * both shapes and the parameter's name) is a {@link StateDictException}, and nothing is loaded.
     *
     * @return the full paths of the fresh modules
     */
    public static List<String> load(Module model, Map<String, NdArray> state, Collection<String> fresh) {
        List<String> paths = new ArrayList<>();
        for (String name : fresh) {
            paths.add(ModulePaths.resolve(model, name));
        }
        Map<String, NdArray> merged = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            if (!under(k, paths)) {
                merged.put(k, v);
            }
        });
        model.stateDict().forEach((k, v) -> {
            if (under(k, paths)) {
                merged.put(k, v);
            }
        });
        model.loadStateDict(merged, true);
        return paths;
    }

    /**
     * Freezes the modules named in {@code names} (their parameters stop training; a frozen batch
     * norm layer's running statistics still follow the batches in training mode).
     *
     * @return their full paths
     */
    public static List<String> freeze(Module model, Collection<String> names) {
        List<Module> modules = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (String name : names) {
            String path = ModulePaths.resolve(model, name);
            paths.add(path);
            modules.add(model.submodule(path));
        }
        modules.forEach(Module::freeze); // only once every name is known: an error freezes nothing
        return paths;
    }

    /** The path of the last {@link Linear} layer in {@code model}: an MLP's output layer. */
    public static String outputLayer(Module model) {
        String last = null;
        for (var e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof Linear) {
                last = e.getKey();
            }
        }
        if (last == null) {
            throw new IllegalArgumentException(model.getClass().getSimpleName() + " has no Linear layer");
        }
        return last;
    }

    private static boolean under(String key, List<String> paths) {
        for (String p : paths) {
            if (key.startsWith(p + ".")) {
                return true;
            }
        }
        return false;
    }
}
