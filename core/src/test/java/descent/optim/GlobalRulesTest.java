package descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import descent.autograd.Tensor;
import descent.io.SafeTensors;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Gradient accumulation and global-norm clipping, and the state they and the rules save. */
class GlobalRulesTest {

    @TempDir
    Path dir;

    /** tanh(x·W1)·W2 under mean squared error, in float64. */
    static final class Net {
        final Tensor w1;
        final Tensor w2;
        final Map<String, Tensor> params = new LinkedHashMap<>();

        Net(NdArray w1, NdArray w2) {
            this.w1 = Tensor.param(w1.copy());
            this.w2 = Tensor.param(w2.copy());
            params.put("w1", this.w1);
            params.put("w2", this.w2);
        }

        static Net seeded(long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            return new Net(NdArray.randn(rng, DType.FLOAT64, 5, 6).mul(0.5), NdArray.randn(rng, DType.FLOAT64, 6, 3));
        }

        /** Zeroes the gradients, then backpropagates the loss on (x, y). */
        void backward(Batch b) {
            w1.zeroGrad();
            w2.zeroGrad();
            Tensor.of(b.x()).matmul(w1).tanh().matmul(w2).sub(Tensor.of(b.y())).pow(2).mean().backward();
        }

        List<double[]> values() {
            return List.of(w1.value().toDoubleArray(), w2.value().toDoubleArray());
        }
    }

    record Batch(NdArray x, NdArray y) {
        static Batch random(SplittableRandom rng, int size) {
            return new Batch(NdArray.randn(rng, DType.FLOAT64, size, 5), NdArray.randn(rng, DType.FLOAT64, size, 3));
        }

        static Batch concat(List<Batch> parts) {
            return new Batch(NdArray.concat(0, parts.stream().map(Batch::x).toArray(NdArray[]::new)),
                    NdArray.concat(0, parts.stream().map(Batch::y).toArray(NdArray[]::new)));
        }
    }

    static Stream<Arguments> recipes() {
        return Stream.of(Arguments.of("sgd", Optimizers.sgd(0.1)), Arguments.of("adam", Optimizers.adam(0.01)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recipes")
    void fourAccumulatedMinibatchesStepAsOneBatchOfTheirConcatenation(String name, FirstOrder recipe) {
        int k = 4;
        int b = 8;
        SplittableRandom rng = new SplittableRandom(17);
        Net accumulated = Net.seeded(3);
        Net whole = Net.seeded(3);
        Optimizer acc = recipe.over(accumulated.params, GlobalRules.accumulate(k));
        Optimizer one = recipe.over(whole.params);
        for (int window = 1; window <= 2; window++) {
            List<Batch> minibatches = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                minibatches.add(Batch.random(rng, b));
            }
            List<double[]> before = accumulated.values();
            for (int i = 0; i < k; i++) {
                accumulated.backward(minibatches.get(i));
                acc.step();
                if (i < k - 1) {
                    assertSameValues(before, accumulated.values(), name + ": moved within the window, at step " + i);
                    assertEquals(window - 1, acc.steps(), "held steps are not counted");
                }
            }
            assertEquals(window, acc.steps());

            whole.backward(Batch.concat(minibatches));
            one.step();
            for (int p = 0; p < 2; p++) {
                assertArrayEquals(whole.values().get(p), accumulated.values().get(p), 1e-6,
                        name + ": parameter " + p + " after window " + window);
            }
        }
    }

    private static void assertSameValues(List<double[]> expected, List<double[]> actual, String message) {
        for (int p = 0; p < expected.size(); p++) {
            assertArrayEquals(expected.get(p), actual.get(p), 0, message);
        }
    }

    @Test
    void clipByGlobalNormScalesByPyTorchsFactorAndLeavesSmallGradientsAlone() {
        GlobalRule<Rule.Stateless> clip = GlobalRules.clipByGlobalNorm(2);
        Map<String, NdArray> grads = new LinkedHashMap<>();
        grads.put("a", NdArray.of(new double[] {1, 2}, 2));
        grads.put("b", NdArray.of(new double[] {2}, 1));
        // ‖(1, 2, 2)‖ = 3 > 2: torch.nn.utils.clip_grad_norm_ multiplies by 2 / (3 + 1e-6).
        Map<String, NdArray> clipped = clip.apply(grads, clip.init(grads)).updates();
        double factor = 2 / (3 + 1e-6);
        assertArrayEquals(new double[] {factor, 2 * factor}, clipped.get("a").toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {2 * factor}, clipped.get("b").toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {1, 2}, grads.get("a").toDoubleArray(), 0, "the input is not changed");

        Map<String, NdArray> small = new LinkedHashMap<>();
        small.put("a", NdArray.of(new double[] {0.3, 0}, 2));
        small.put("b", NdArray.of(new double[] {-0.4}, 1));
        Map<String, NdArray> kept = clip.apply(small, clip.init(small)).updates(); // ‖·‖ = 0.5
        assertArrayEquals(new double[] {0.3, 0}, kept.get("a").toDoubleArray(), 0);
        assertArrayEquals(new double[] {-0.4}, kept.get("b").toDoubleArray(), 0);
    }

    @Test
    void accumulationSavedMidWindowResumesBitExactly() throws IOException {
        SplittableRandom rng = new SplittableRandom(8);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            batches.add(Batch.random(rng, 4));
        }
        Function<Net, Optimizer> make = net -> Optimizers.adam(0.05).over(net.params, GlobalRules.accumulate(3));

        Net straight = Net.seeded(4);
        Optimizer s = make.apply(straight);
        for (Batch b : batches) {
            straight.backward(b);
            s.step();
        }

        Net first = Net.seeded(4);
        Optimizer before = make.apply(first);
        for (Batch b : batches.subList(0, 5)) {
            first.backward(b);
            before.step();
        }
        Map<String, NdArray> saved = before.stateDict();
        assertEquals(2, saved.get("#global.0/count").item(), "two steps into the second window");
        assertEquals(List.of(5, 6), List.of(saved.get("#global.0/sums.w1").shape()[0],
                saved.get("#global.0/sums.w2").shape()[0]));
        Path file = dir.resolve("accumulate.safetensors");
        SafeTensors.save(file, saved);

        Net resumed = new Net(first.w1.value(), first.w2.value());
        Optimizer after = make.apply(resumed);
        after.loadStateDict(SafeTensors.loadTensors(file));
        for (Batch b : batches.subList(5, 8)) {
            resumed.backward(b);
            after.step();
        }
        assertSameValues(straight.values(), resumed.values(), "resumed parameters");
        assertEquals(s.steps(), after.steps());
        Map<String, NdArray> expected = s.stateDict();
        Map<String, NdArray> actual = after.stateDict();
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((key, v) -> assertArrayEquals(v.toDoubleArray(), actual.get(key).toDoubleArray(), 0, key));
    }

    @Test
    void adamsStateDictKeepsTheKeysOldCheckpointsHave() {
        for (GlobalRule<?>[] global : List.of(new GlobalRule<?>[0],
                new GlobalRule<?>[] {GlobalRules.clipByGlobalNorm(1)})) {
            Tensor w = Tensor.param(NdArray.of(new double[] {1, 2}, 2));
            Optimizer adam = Optimizers.adam(0.1).over(Map.of("w", w), global);
            w.zeroGrad();
            w.mul(w).sum().backward();
            adam.step();
            assertEquals(List.of("#steps", "w/1.m", "w/1.v", "w/1.count", "w/2.count"),
                    List.copyOf(adam.stateDict().keySet()), global.length + " global rules");
        }
    }
}
