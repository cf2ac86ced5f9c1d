package descent.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.GradCheck;
import descent.autograd.Tensor;
import descent.init.Init;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every layer and loss against finite differences in float64, for the input and every parameter. */
class LayerGradientTest {

    static final DType F64 = DType.FLOAT64;

    static SplittableRandom rng(long seed) {
        return new SplittableRandom(seed);
    }

    static Stream<Arguments> layers() {
        Supplier<Mode> eval = () -> Mode.EVAL;
        Supplier<Mode> train = () -> Mode.train(rng(99)); // the same dropout mask at every evaluation
        BatchNorm1d trainedBn = new BatchNorm1d(4, F64);
        trainedBn.forward(Tensor.of(NdArray.randn(rng(5), F64, 6, 4).mul(3).add(1)), Mode.train(null));
        return Stream.of(
                Arguments.of("Linear", new Linear(5, 4, true, Init.xavierNormal(), F64, rng(1)), s(3, 5), eval),
                Arguments.of("Linear without bias, 3-D input", new Linear(5, 2, false, Init.kaimingNormal(), F64, rng(2)),
                        s(2, 3, 5), eval),
                Arguments.of("ReLU", Activation.relu(), s(4, 5), eval),
                Arguments.of("LeakyReLU", Activation.leakyRelu(0.1), s(4, 5), eval),
                Arguments.of("Sigmoid", Activation.sigmoid(), s(4, 5), eval),
                Arguments.of("Tanh", Activation.tanh(), s(4, 5), eval),
                Arguments.of("Identity", Activation.identity(), s(4, 5), eval),
                Arguments.of("GELU", Activation.gelu(), s(4, 5), eval),
                Arguments.of("GELU (tanh)", Activation.geluTanh(), s(4, 5), eval),
                Arguments.of("Softplus", Activation.softplus(2), s(4, 5), eval),
                Arguments.of("Flatten", new Sequential(new Flatten(), new Linear(6, 2, true, Init.lecunNormal(), F64, rng(3))),
                        s(3, 2, 3), eval),
                Arguments.of("Dropout (training)", new Dropout(0.4), s(4, 5), train),
                Arguments.of("Dropout, scale at test (training)", new Dropout(0.4, Dropout.Form.SCALE_AT_TEST), s(4, 5), train),
                Arguments.of("Dropout, scale at test (evaluation)", new Dropout(0.4, Dropout.Form.SCALE_AT_TEST), s(4, 5), eval),
                Arguments.of("BatchNorm1d (training)", new BatchNorm1d(4, F64), s(6, 4), train),
                Arguments.of("BatchNorm1d (training, [N, C, L])", new BatchNorm1d(3, F64), s(4, 3, 2), train),
                Arguments.of("BatchNorm1d (evaluation)", trainedBn, s(6, 4), eval),
                Arguments.of("LayerNorm", new LayerNorm(5, F64), s(3, 5), eval),
                Arguments.of("Residual bottleneck", Residual.bottleneck(4, 2, Activation.tanh(), Init.xavierNormal(), F64,
                        rng(4)), s(3, 4), eval),
                Arguments.of("Mlp with batch norm and dropout",
                        new Mlp(Mlp.Spec.of(4, 6, 5, 3).withActivation(Activation.tanh()).withBatchNorm(true)
                                .withDropout(0.2).withDtype(F64), rng(6)), s(5, 4), train));
    }

    static int[] s(int... shape) {
        return shape;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void gradientsMatchFiniteDifferences(String name, Module module, int[] shape, Supplier<Mode> mode) {
        NdArray x = NdArray.randn(rng(7), F64, shape);
        GradCheck.Result r = ModuleGradCheck.check(module, x, mode, 1e-6, 1e-7, 1e-5);
        assertTrue(r.passed(), name + ": " + r);
    }

    @Test
    void theModuleCheckNoticesAWrongGradient() {
        // A layer whose forward detaches its weight: the weight's analytic gradient is missing.
        Module broken = new Module() {
            final Tensor w = registerParameter("w", NdArray.ones(F64, 3));

            @Override
            public Tensor forward(Tensor x, Mode mode) {
                return x.mul(w.detach());
            }
        };
        GradCheck.Result r = ModuleGradCheck.check(broken, NdArray.randn(rng(1), F64, 2, 3), () -> Mode.EVAL,
                1e-6, 1e-7, 1e-5);
        assertFalse(r.passed(), r.toString());
    }

    static Stream<Arguments> losses() {
        int[] labels = {2, 0, 1, 2};
        NdArray target = NdArray.randn(rng(8), F64, 4, 3);
        NdArray probabilities = NdArray.rand(rng(9), F64, 4, 3);
        return Stream.of(
                Arguments.of("cross-entropy", (LossFn) z -> Losses.crossEntropy(z, labels)),
                Arguments.of("cross-entropy, smoothing 0.1, sum",
                        (LossFn) z -> Losses.crossEntropy(z, labels, 0.1, Reduction.SUM)),
                Arguments.of("cross-entropy, no reduction", (LossFn) z -> Losses.crossEntropy(z, labels, 0, Reduction.NONE)),
                Arguments.of("mse", (LossFn) z -> Losses.mse(z, Tensor.of(target))),
                Arguments.of("mse, no reduction", (LossFn) z -> Losses.mse(z, Tensor.of(target), Reduction.NONE)),
                Arguments.of("bce with logits", (LossFn) z -> Losses.binaryCrossEntropyWithLogits(z, Tensor.of(probabilities))),
                Arguments.of("bce with logits, sum",
                        (LossFn) z -> Losses.binaryCrossEntropyWithLogits(z, Tensor.of(probabilities), Reduction.SUM)));
    }

    interface LossFn {
        Tensor apply(Tensor logits);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void lossGradientsMatchFiniteDifferences(String name, LossFn loss) {
        List<NdArray> z = List.of(NdArray.randn(rng(10), F64, 4, 3).mul(2));
        GradCheck.Result first = GradCheck.check(x -> loss.apply(x.get(0)), z, 1e-6, 1e-7, 1e-5);
        assertTrue(first.passed(), name + ": " + first);
        GradCheck.Result second = GradCheck.secondOrder(x -> loss.apply(x.get(0)), z, 1e-5, 1e-6, 1e-4);
        assertTrue(second.passed(), name + " (second order): " + second);
    }
}
