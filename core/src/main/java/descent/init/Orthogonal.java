package descent.init;

import java.util.random.RandomGenerator;

/** Random matrices with orthonormal rows or columns, for {@link Init#orthogonal}. */
final class Orthogonal {

    private Orthogonal() {}

    /**
     * A rows×cols matrix (row-major) whose shorter side is orthonormal: the Q of a Gaussian
     * matrix's QR factorization with R's diagonal made positive, which makes Q Haar-distributed
     * (Mezzadri, 2007). Q comes from modified Gram-Schmidt applied twice ("twice is enough"),
     * which keeps it orthogonal to rounding error.
     */
    static double[] sample(RandomGenerator rng, int rows, int cols) {
        boolean wide = rows < cols;
        int m = wide ? cols : rows; // the long side: vectors have m entries
        int n = wide ? rows : cols; // and there are n of them
        double[][] v = new double[n][m];
        for (int i = 0; i < m; i++) { // fill the tall m×n matrix in row-major order
            for (int j = 0; j < n; j++) {
                v[j][i] = rng.nextGaussian();
            }
        }
        for (int j = 0; j < n; j++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    double dot = dot(v[k], v[j]);
                    for (int i = 0; i < m; i++) {
                        v[j][i] -= dot * v[k][i];
                    }
                }
            }
            double norm = Math.sqrt(dot(v[j], v[j]));
            for (int i = 0; i < m; i++) {
                v[j][i] /= norm;
            }
        }
        double[] out = new double[rows * cols];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                if (wide) {
                    out[j * cols + i] = v[j][i]; // orthonormal rows
                } else {
                    out[i * cols + j] = v[j][i]; // orthonormal columns
                }
            }
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
