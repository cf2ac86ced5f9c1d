package descent.spark;

import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named arrays in a form Spark can ship (a model's parameters, an optimizer's state, a gradient,
 * a partition's metrics), each keeping its dtype, so a round trip is bit-exact. Sums are taken
 * element by element in the arrays' own precision, in the order the caller chooses.
 */
final class Packed implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final int[][] shapes;
    /** float32 arrays, or null where the entry is float64. */
    private final float[][] floats;
    /** float64 arrays, or null where the entry is float32. */
    private final double[][] doubles;

    private Packed(String[] names, int[][] shapes, float[][] floats, double[][] doubles) {
        this.names = names;
        this.shapes = shapes;
        this.floats = floats;
        this.doubles = doubles;
    }

    static Packed of(Map<String, NdArray> arrays) {
        int n = arrays.size();
        String[] names = new String[n];
        int[][] shapes = new int[n][];
        float[][] floats = new float[n][];
        double[][] doubles = new double[n][];
        int i = 0;
        for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
            NdArray a = e.getValue();
            names[i] = e.getKey();
            shapes[i] = a.shape();
            if (a.dtype() == DType.FLOAT32) {
                floats[i] = a.toFloatArray();
            } else {
                doubles[i] = a.toDoubleArray();
            }
            i++;
        }
        return new Packed(names, shapes, floats, doubles);
    }

    Map<String, NdArray> toMap() {
        Map<String, NdArray> out = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            out.put(names[i], floats[i] != null ? NdArray.of(floats[i].clone(), shapes[i])
                    : NdArray.of(doubles[i].clone(), shapes[i]));
        }
        return out;
    }

    /** This plus {@code other}, element by element; both must hold the same names, shapes and dtypes. */
    Packed plus(Packed other) {
        if (!Arrays.equals(names, other.names)) {
            throw new IllegalStateException("partitions returned different arrays: " + Arrays.toString(names) + " and "
                    + Arrays.toString(other.names));
        }
        float[][] f = new float[names.length][];
        double[][] d = new double[names.length][];
        for (int i = 0; i < names.length; i++) {
            if (floats[i] != null) {
                f[i] = new float[floats[i].length];
                for (int j = 0; j < f[i].length; j++) {
                    f[i][j] = floats[i][j] + other.floats[i][j];
                }
            } else {
                d[i] = new double[doubles[i].length];
                for (int j = 0; j < d[i].length; j++) {
                    d[i][j] = doubles[i][j] + other.doubles[i][j];
                }
            }
        }
        return new Packed(names, shapes, f, d);
    }

    /** Every element times {@code factor} (rounded to float32 for float32 entries). */
    Packed times(double factor) {
        float[][] f = new float[names.length][];
        double[][] d = new double[names.length][];
        for (int i = 0; i < names.length; i++) {
            if (floats[i] != null) {
                f[i] = new float[floats[i].length];
                for (int j = 0; j < f[i].length; j++) {
                    f[i][j] = (float) (floats[i][j] * factor);
                }
            } else {
                d[i] = new double[doubles[i].length];
                for (int j = 0; j < d[i].length; j++) {
                    d[i][j] = doubles[i][j] * factor;
                }
            }
        }
        return new Packed(names, shapes, f, d);
    }
}
