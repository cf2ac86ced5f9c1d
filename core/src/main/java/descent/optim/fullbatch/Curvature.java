package descent.optim.fullbatch;

import descent.autograd.Autograd;
import descent.autograd.Tensor;
import descent.optim.Objective;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.List;

/** Second derivatives of an {@link Objective} over parameters seen as one vector, by double backward. */
public final class Curvature {

    private Curvature() {}

    /** ∇f as one graph-carrying vector, so it can be differentiated again. */
    private static Tensor gradientVector(Objective objective, List<Tensor> params) {
        List<Tensor> g = Autograd.grad(objective.loss(), params, true);
        Tensor[] flat = new Tensor[g.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = g.get(i).reshape(g.get(i).size());
        }
        return flat.length == 1 ? flat[0] : Tensor.concat(0, flat);
    }

    private static List<NdArray> values(List<Tensor> tensors) {
        return tensors.stream().map(Tensor::value).toList();
    }

    /** The exact Hessian, row-major n×n: one backward pass through the gradient per row. */
    static double[] hessian(Objective objective, List<Tensor> params, int n) {
        Tensor g = gradientVector(objective, params);
        double[] h = new double[n * n];
        for (int i = 0; i < n; i++) {
            List<Tensor> row = Autograd.grad(g.select(0, i), params, false);
            System.arraycopy(FlatParameters.concat(values(row), n), 0, h, i * n, n);
        }
        // Symmetrize away rounding differences between H[i][j] and H[j][i].
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double m = (h[i * n + j] + h[j * n + i]) / 2;
                h[i * n + j] = m;
                h[j * n + i] = m;
            }
        }
        return h;
    }

    /** H·v without forming H: the gradient of ∇f·v (Pearlmutter, 1994); {@code n} is the parameters' total size. */
    public static double[] hessianVector(Objective objective, List<Tensor> params, int n, double[] v) {
        Tensor g = gradientVector(objective, params);
        DType dtype = g.dtype();
        Tensor dot = g.mul(Tensor.of(NdArray.of(dtype, v, n))).sum();
        return FlatParameters.concat(values(Autograd.grad(dot, params, false)), n);
    }
}
