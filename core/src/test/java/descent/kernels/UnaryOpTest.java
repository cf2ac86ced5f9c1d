package descent.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UnaryOpTest {

    @Test
    void erfMatchesTabulatedValues() {
        // Reference values from the closed-form tables (Abramowitz & Stegun 7.1, extended precision).
        double[][] table = {
            {0, 0}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
            {2, 0.9953222650189527}, {3, 0.9999779095030014}, {4.5, 0.9999999998033839},
            {5.5, 0.9999999999999927}, {7, 1},
        };
        for (double[] row : table) {
            assertEquals(row[1], UnaryOp.ERF.apply(row[0]), 2e-16 + 1e-15 * row[1], "erf(" + row[0] + ")");
            assertEquals(-row[1], UnaryOp.ERF.apply(-row[0]), 2e-16 + 1e-15 * row[1], "erf(-" + row[0] + ")");
        }
        assertEquals(Double.NaN, UnaryOp.ERF.apply(Double.NaN));
        assertEquals(1, UnaryOp.ERF.apply(Double.POSITIVE_INFINITY));
    }
}
