package descent.cli;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Hyper-parameters by PyTorch's names (lr, momentum, weight_decay, beta1, ...), as given on a
 * command line. Reading one marks it used, so that an optimizer can reject the ones it does not
 * take rather than silently ignore a typo or a misplaced option.
 */
public final class Hyperparameters {

    private final Map<String, String> values;
    private final Set<String> used = new LinkedHashSet<>();

    public Hyperparameters(Map<String, String> values) {
        this.values = new LinkedHashMap<>(values);
    }

    public static Hyperparameters of(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("Hyperparameters.of needs name, value pairs");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new Hyperparameters(m);
    }

    public double number(String name, double fallback) {
        used.add(name);
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hyper-parameter " + name + " must be a number, got '" + v + "'");
        }
    }

    public boolean flag(String name, boolean fallback) {
        used.add(name);
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("hyper-parameter " + name + " must be true or false, got '" + v + "'");
        };
    }

    /** Whether {@code name} was given (reading it this way does not mark it used). */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String text(String name, String fallback) {
        used.add(name);
        return values.getOrDefault(name, fallback);
    }

    /** Fails if any hyper-parameter was given that {@code optimizer} never read. */
    public void requireAllUsed(String optimizer) {
        Set<String> unused = new LinkedHashSet<>(values.keySet());
        unused.removeAll(used);
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException(optimizer + " does not take " + String.join(", ", unused)
                    + " (it takes " + String.join(", ", used) + ")");
        }
    }
}
