package descent.optim.fullbatch;

import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;
import java.util.Arrays;

/** Eigenvalues of a symmetric matrix (a Hessian, say), for condition numbers and curvature diagnostics. */
public final class Spectrum {

    private Spectrum() {}

    /** The eigenvalues of a symmetric [n, n] matrix, ascending (cyclic Jacobi; meant for n up to a few hundred). */
    public static double[] eigenvalues(NdArray symmetric) {
        if (symmetric.rank() != 2 || symmetric.dim(0) != symmetric.dim(1)) {
            throw new ShapeException("eigenvalues: shape " + Shapes.str(symmetric.shape()) + " is not square");
        }
        double[] values = Dense.symmetricEigen(symmetric.toDoubleArray(), symmetric.dim(0)).values().clone();
        Arrays.sort(values);
        return values;
    }

    /** λ_max / λ_min of a symmetric positive-definite matrix. */
    public static double conditionNumber(NdArray symmetric) {
        double[] v = eigenvalues(symmetric);
        return v[v.length - 1] / v[0];
    }
}
