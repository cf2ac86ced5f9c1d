package descent.nn;

import java.util.List;

/**
 * What loading a state dict found: names the module has and the dict lacks, names the dict has
 * and the module lacks, and entries whose shape or dtype differ (each described with both).
 */
public record LoadResult(List<String> missing, List<String> unexpected, List<String> mismatched) {

    public LoadResult {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        mismatched = List.copyOf(mismatched);
    }

    /** Whether every entry matched and was loaded. */
    public boolean isExact() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    /** One line per problem. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        missing.forEach(n -> sb.append("  missing from the state dict: ").append(n).append('\n'));
        unexpected.forEach(n -> sb.append("  unexpected in the state dict: ").append(n).append('\n'));
        mismatched.forEach(n -> sb.append("  mismatched: ").append(n).append('\n'));
        return sb.isEmpty() ? "  (exact match)\n" : sb.toString();
    }
}
