package descent.problems;

import descent.autograd.Tensor;
import descent.kernels.BinaryOp;
import descent.kernels.UnaryOp;
import descent.optim.Closure;
import descent.optim.Objective;
import descent.optim.fullbatch.CoordinateDescent;
import descent.optim.fullbatch.Dense;
import descent.optim.fullbatch.FullBatch;
import descent.optim.fullbatch.LineSearch;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The notes' sparse-coding problem, min over H, W of λ‖H‖₁ + ‖X − HW‖²_F, solved by block
 * coordinate descent alternating between its two blocks, each minimized with the other fixed:
 * W by least squares, W = (HᵀH + εI)⁻¹HᵀX; H by proximal gradient steps (ISTA: a gradient step
 * on the squared error, then soft-thresholding by ηλ), since ‖H‖₁ is not differentiable.
 */
public final class SparseCoding {

    /**
     * The codes H [m, k], the dictionary W [k, n], the objective after each sweep (entry 0: at the
     * start) and after each block step (entry 0: at the start, then H, W, H, W, ...).
     */
    public record Result(NdArray codes, NdArray dictionary, List<Double> objective, List<Double> blockObjective) {}

    private SparseCoding() {}

    public static Result solve(NdArray x, int atoms, double lambda, int sweeps, int istaSteps, RandomGenerator rng) {
        return solve(x, atoms, lambda, 0, sweeps, istaSteps, rng);
    }

    /**
     * The same with weight decay on the dictionary: min λ‖H‖₁ + ‖X − HW‖²_F + μ‖W‖²_F, the
     * regularization the notes say the cost "generally consists of" and leave out for simplicity.
     * Without it the infimum is not attained: scaling H by 1/t and W by t lowers the penalty
     * for ever. W's block is then ridge regression, W = (HᵀH + μI)⁻¹HᵀX.
     */
    public static Result solve(NdArray x, int atoms, double lambda, double weightDecay, int sweeps, int istaSteps,
                               RandomGenerator rng) {
        if (!(weightDecay >= 0) || !(lambda >= 0)) {
            throw new IllegalArgumentException("sparse coding: needs λ ≥ 0 and weight decay μ ≥ 0, got " + lambda + ", "
                    + weightDecay);
        }
        int m = x.dim(0);
        Tensor h = Tensor.param(NdArray.randn(rng, DType.FLOAT64, m, atoms).mul(0.1));
        Tensor w = Tensor.param(NdArray.randn(rng, DType.FLOAT64, atoms, x.dim(1)));
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("H", h);
        params.put("W", w);
        Objective objective = weightDecay == 0
                ? () -> h.abs().sum().mul(lambda).add(Tensor.of(x).sub(h.matmul(w)).pow(2).sum())
                : () -> h.abs().sum().mul(lambda).add(Tensor.of(x).sub(h.matmul(w)).pow(2).sum())
                        .add(w.pow(2).sum().mul(weightDecay));
        // A tiny ridge without weight decay, in case a code column is all zero.
        double ridge = weightDecay > 0 ? weightDecay : 1e-10;
        Map<String, CoordinateDescent.BlockUpdate> updates = Map.of(
                "W", block -> w.assign(leastSquares(h.value(), x, ridge)),
                "H", block -> h.assign(ista(h.value(), w.value(), x, lambda, istaSteps)));
        // Blocks in a fixed order, H then W: Map.of's iteration order changes from one JVM to the next.
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        blocks.put("H", List.of("H"));
        blocks.put("W", List.of("W"));
        CoordinateDescent cd = FullBatch.blockCoordinateDescent(params, blocks, updates, false, 0, LineSearch.armijo());
        Closure closure = Objective.closure(params, objective);
        List<Double> history = new ArrayList<>();
        List<Double> afterBlock = new ArrayList<>();
        history.add(objective.loss().item());
        afterBlock.add(history.getFirst());
        for (int s = 0; s < sweeps; s++) {
            cd.step(closure); // H
            afterBlock.add(objective.loss().item());
            cd.step(closure); // W
            afterBlock.add(objective.loss().item());
            history.add(afterBlock.getLast());
        }
        return new Result(h.value(), w.value(), history, afterBlock);
    }

    /** argmin_W ‖X − HW‖² + μ‖W‖² = (HᵀH + μI)⁻¹HᵀX. */
    static NdArray leastSquares(NdArray h, NdArray x, double ridge) {
        int k = h.dim(1);
        NdArray hth = h.transpose(0, 1).matmul(h).add(NdArray.eye(DType.FLOAT64, k).mul(ridge));
        double[] l = Dense.cholesky(hth.toDoubleArray(), k);
        NdArray htx = h.transpose(0, 1).matmul(x);
        int n = x.dim(1);
        double[] out = new double[k * n];
        for (int j = 0; j < n; j++) {
            double[] col = htx.select(1, j).toDoubleArray();
            double[] sol = Dense.solveCholesky(l, k, col);
            for (int i = 0; i < k; i++) {
                out[i * n + j] = sol[i];
            }
        }
        return NdArray.of(out, k, n);
    }

    /**
     * ISTA on H: step 1/L with L = 2·min(tr(WWᵀ), max row sum of |WWᵀ|), two upper bounds on
     * 2λmax(WWᵀ), the gradient's Lipschitz constant (the row sums by Gershgorin's theorem; they are
     * the tighter one when the atoms are nearly orthogonal). An upper bound keeps every step a descent.
     */
    static NdArray ista(NdArray h, NdArray w, NdArray x, double lambda, int steps) {
        int k = w.dim(0);
        double[] gram = w.matmul(w.transpose(0, 1)).toDoubleArray();
        double trace = 0;
        double rows = 0;
        for (int i = 0; i < k; i++) {
            trace += gram[i * k + i];
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.abs(gram[i * k + j]);
            }
            rows = Math.max(rows, sum);
        }
        double lipschitz = 2 * Math.min(trace, rows);
        double eta = 1 / lipschitz;
        NdArray wt = w.transpose(0, 1);
        for (int i = 0; i < steps; i++) {
            NdArray grad = h.matmul(w).sub(x).matmul(wt).mul(2);
            NdArray z = h.sub(grad.mul(eta));
            h = z.map(UnaryOp.ABS).add(-eta * lambda).zip(BinaryOp.MAX, 0).mul(z.map(UnaryOp.SIGN));
        }
        return h;
    }
}
