package descent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import descent.autograd.Tensor;
import descent.diagnostics.NonFiniteTracer.Finding;
import descent.diagnostics.NonFiniteTracer.Pass;
import descent.nn.Activation;
import descent.nn.Linear;
import descent.nn.Losses;
import descent.nn.Mode;
import descent.nn.Module;
import descent.nn.Sequential;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.SplitMix64;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class NonFiniteTracerTest {

    private static final int[] LABELS = {0, 1, 0, 1};

    /** A layer computing {@code fn}; the tracer must find the op inside it. */
    private static final class Lambda extends Module {
        private final Function<Tensor, Tensor> fn;

        Lambda(Function<Tensor, Tensor> fn) {
            this.fn = fn;
        }

        @Override
        public Tensor forward(Tensor x, Mode mode) {
            return fn.apply(x);
        }
    }

    private static Finding trace(Module middle, Function<Tensor, Tensor> loss) {
        SplitMix64 rng = new SplitMix64(4);
        Sequential model = new Sequential(new Linear(3, 4, rng), Activation.tanh(), middle, new Linear(4, 2, rng));
        return NonFiniteTracer.trace(model, Tensor.randn(new SplitMix64(9), DType.FLOAT32, 4, 3), Mode.EVAL, loss);
    }

    private static Finding trace(Module middle) {
        return trace(middle, out -> Losses.crossEntropy(out, LABELS));
    }

    @Test
    void aFiniteStepHasNoFinding() {
        assertNull(trace(Activation.relu()));
    }

    @Test
    void forwardFindsTheLayerAndTheOpThatFirstWentNonFinite() {
        // tanh output is in (−1, 1): x − 2 < 0, so log is NaN; the exp after it is only a victim.
        Finding f = trace(new Lambda(x -> x.sub(2).log().exp()));
        assertEquals(Pass.FORWARD, f.pass());
        assertEquals("2", f.layer());
        assertEquals("Log", f.op());
        assertEquals("the output of 2 (Lambda), op Log, forward pass", f.description());
    }

    @Test
    void forwardOverflowIsAnOpToo() {
        Finding f = trace(new Lambda(x -> x.add(200).exp()));
        assertEquals("Exp", f.op());
        assertEquals("2", f.layer());
    }

    @Test
    void aNonFiniteLossIsFoundInTheLoss() {
        Finding f = trace(Activation.relu(), out -> out.sub(100).log().mean());
        assertEquals(Pass.FORWARD, f.pass());
        assertEquals("(loss)", f.layer());
        assertEquals("Log", f.op());
    }

    @Test
    void backwardFindsTheOpWhoseDerivativeIsInfinite() {
        // relu(x)·0 = 0 and √0 = 0 are finite, but √'s derivative at 0 is infinite.
        Finding f = trace(new Lambda(x -> x.add(x.relu().mul(0).sqrt())));
        assertEquals(Pass.BACKWARD, f.pass());
        assertEquals("2", f.layer());
        assertEquals("Sqrt", f.op());
        assertEquals("the gradient through Sqrt in 2 (Lambda), backward pass", f.description());
    }

    @Test
    void aParameterThatIsAlreadyNonFiniteIsNamed() {
        SplitMix64 rng = new SplitMix64(4);
        Linear first = new Linear(3, 4, rng);
        first.bias().assign(NdArray.of(new float[] {0, Float.NaN, 0, 0}, 4));
        Sequential model = new Sequential(first, new Linear(4, 2, rng));
        Finding f = NonFiniteTracer.trace(model, Tensor.randn(rng, DType.FLOAT32, 4, 3), Mode.EVAL,
                out -> Losses.crossEntropy(out, LABELS));
        assertEquals("0.bias", f.layer());
        assertEquals("parameter 0.bias, already non-finite before the step", f.description());
    }
}
