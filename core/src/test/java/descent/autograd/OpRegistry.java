package descent.autograd;

import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * One entry per differentiable operation: input shapes, whether inputs must be positive (log,
 * sqrt, pow), and the function. Drives the first- and second-order gradient checks; a new op is
 * not done until it has an entry here.
 */
final class OpRegistry {

    record Entry(String name, int[][] shapes, boolean positive, Function<List<Tensor>, Tensor> f) {
        List<NdArray> inputs(long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            List<NdArray> xs = new ArrayList<>();
            for (int[] s : shapes) {
                NdArray x = NdArray.randn(rng, DType.FLOAT64, s);
                xs.add(positive ? x.map(descent.kernels.UnaryOp.ABS).add(0.5) : x);
            }
            return xs;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final NdArray CONDITION = NdArray.of(new double[] {1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1}, 3, 4);
    private static final NdArray GATHER_INDEX = NdArray.of(new double[] {2, 0, 1, 1, 3, 3}, 3, 2);

    private static Entry op(String name, Function<List<Tensor>, Tensor> f, int[]... shapes) {
        return new Entry(name, shapes, false, f);
    }

    private static Entry positive(String name, Function<List<Tensor>, Tensor> f, int[]... shapes) {
        return new Entry(name, shapes, true, f);
    }

    private static int[] s(int... shape) {
        return shape;
    }

    static List<Entry> all() {
        return List.of(
                op("add (broadcast)", x -> x.get(0).add(x.get(1)), s(3, 4), s(4)),
                op("sub (broadcast)", x -> x.get(0).sub(x.get(1)), s(2, 3), s(2, 1)),
                op("mul", x -> x.get(0).mul(x.get(1)), s(3, 4), s(3, 4)),
                op("mul (scalar)", x -> x.get(0).mul(x.get(1)), s(3, 4), s()),
                positive("div", x -> x.get(0).div(x.get(1)), s(3, 4), s(4)),
                positive("pow (tensor exponent)", x -> x.get(0).pow(x.get(1)), s(3, 4), s(3, 4)),
                op("pow (integer exponent)", x -> x.get(0).pow(3), s(3, 4)),
                op("maximum", x -> x.get(0).maximum(x.get(1)), s(3, 4), s(3, 4)),
                op("minimum", x -> x.get(0).minimum(x.get(1)), s(3, 4), s(1, 4)),
                op("neg", x -> x.get(0).neg(), s(5)),
                op("exp", x -> x.get(0).exp(), s(2, 3)),
                positive("log", x -> x.get(0).log(), s(2, 3)),
                positive("sqrt", x -> x.get(0).sqrt(), s(2, 3)),
                op("abs", x -> x.get(0).abs(), s(2, 3)),
                op("relu", x -> x.get(0).relu(), s(3, 4)),
                op("sigmoid", x -> x.get(0).sigmoid(), s(3, 4)),
                op("tanh", x -> x.get(0).tanh(), s(3, 4)),
                op("erf", x -> x.get(0).erf(), s(3, 4)),
                op("sin", x -> x.get(0).sin(), s(3, 4)),
                op("cos", x -> x.get(0).cos(), s(3, 4)),
                op("clamp", x -> x.get(0).clamp(-0.5, 0.7), s(3, 4)),
                op("where", x -> Tensor.where(CONDITION, x.get(0), x.get(1)), s(3, 4), s(4)),
                op("reshape", x -> x.get(0).reshape(4, 6).mul(x.get(1)), s(2, 3, 4), s(4, 6)),
                op("permute", x -> x.get(0).permute(2, 0, 1).mul(x.get(1)), s(2, 3, 4), s(4, 2, 3)),
                op("transpose + matmul", x -> x.get(0).transpose(0, 1).matmul(x.get(1)), s(4, 3), s(4, 2)),
                op("expand", x -> x.get(0).expand(2, 3, 4).mul(x.get(1)), s(3, 1), s(2, 3, 4)),
                op("slice (step 2)", x -> x.get(0).slice(1, 1, 6, 2), s(3, 7)),
                op("select", x -> x.get(0).select(1, 2), s(3, 4, 2)),
                op("embed", x -> x.get(0).embed(0, 1, 2, 7, 3), s(3, 3)),
                op("concat", x -> Tensor.concat(1, x.get(0), x.get(1)), s(2, 3), s(2, 1)),
                op("stack", x -> Tensor.stack(0, x.get(0), x.get(1)), s(2, 3), s(2, 3)),
                op("sum (all)", x -> x.get(0).sum(), s(3, 4)),
                op("sum (axes, keepdims)", x -> x.get(0).sum(true, 0, 2), s(2, 3, 4)),
                op("mean (axis)", x -> x.get(0).mean(false, 1), s(3, 5)),
                op("max (axis)", x -> x.get(0).max(false, 1), s(4, 5)),
                op("max (all)", x -> x.get(0).max(false), s(4, 5)),
                op("logsumexp", x -> x.get(0).logsumexp(1, false), s(3, 5)),
                op("softmax", x -> x.get(0).softmax(-1), s(3, 5)),
                op("softplus", x -> x.get(0).softplus(), s(3, 5)),
                op("logSoftmax", x -> x.get(0).logSoftmax(0), s(3, 5)),
                op("matmul", x -> x.get(0).matmul(x.get(1)), s(3, 4), s(4, 5)),
                op("matmul (batched, broadcast)", x -> x.get(0).matmul(x.get(1)), s(2, 3, 4), s(4, 2)),
                op("matmul (vector)", x -> x.get(0).matmul(x.get(1)), s(4), s(4, 3)),
                op("gather", x -> x.get(0).gather(1, GATHER_INDEX), s(3, 4)),
                op("scatterAdd", x -> x.get(0).scatterAdd(1, GATHER_INDEX, 3, 4), s(3, 2)),
                op("mlp layer", x -> x.get(0).matmul(x.get(1)).add(x.get(2)).tanh().sum(false, 1), s(5, 3), s(3, 4),
                        s(4)));
    }
}
