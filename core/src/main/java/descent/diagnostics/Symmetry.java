package descent.diagnostics;

import descent.nn.Linear;
import descent.nn.Module;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the distinct units of each Linear layer: units whose incoming weights and bias agree
 * within a tolerance compute the same function, receive the same gradient and so stay equal
 * forever. A network initialized with a constant has one distinct unit per layer however wide it
 * is, which is why initialization must be random (the notes' symmetry breaking).
 */
public final class Symmetry {

    /** The default tolerance, relative to the layer's largest weight. */
    public static final double TOLERANCE = 1e-6;

    private Symmetry() {}

    /**
     * The number of distinct rows of {@code weight} [out, in] (with {@code bias} [out] appended, if
     * not null): two rows are the same unit if no element differs by more than
     * {@code tolerance · max|w|}. Units are grouped greedily against each group's first member.
     */
    public static int distinctUnits(NdArray weight, NdArray bias, double tolerance) {
        int out = weight.dim(0);
        int in = weight.dim(1);
        double[] w = weight.toDoubleArray();
        double[] b = bias == null ? new double[out] : bias.toDoubleArray();
        double scale = 0;
        for (double v : w) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (double v : b) {
            scale = Math.max(scale, Math.abs(v));
        }
        double tol = tolerance * (scale == 0 ? 1 : scale);
        List<Integer> representatives = new ArrayList<>();
        for (int i = 0; i < out; i++) {
            boolean seen = false;
            for (int r : representatives) {
                if (same(w, b, in, i, r, tol)) {
                    seen = true;
                    break;
                }
            }
            if (!seen) {
                representatives.add(i);
            }
        }
        return representatives.size();
    }

    /** Distinct units of every Linear layer, by its dotted name, input side first. */
    public static Map<String, Integer> distinctUnits(Module model, double tolerance) {
        Map<String, Integer> out = new LinkedHashMap<>();
        model.namedModules().forEach((name, m) -> {
            if (m instanceof Linear l) {
                out.put(name, distinctUnits(l.weight().value(), l.bias() == null ? null : l.bias().value(), tolerance));
            }
        });
        return out;
    }

    private static boolean same(double[] w, double[] b, int in, int i, int j, double tol) {
        if (Math.abs(b[i] - b[j]) > tol) {
            return false;
        }
        for (int k = 0; k < in; k++) {
            if (Math.abs(w[i * in + k] - w[j * in + k]) > tol) {
                return false;
            }
        }
        return true;
    }
}
