package descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Both forms of dropout keep E[training output] = evaluation output: inverted, E[m·x/q] = x = eval;
 * scale at test, E[m·x] = q·x = eval, with m ~ Bernoulli(q), q = 1 − p.
 */
class DropoutTest {

    static final double P = 0.3; // not 0.5, so that confusing p with q = 1 − p shows
    static final double[] X = {1, -2, 0.5, 3, -1.5, 2.5};
    static final int DRAWS = 40_000;

    /**
     * The mean of {@code DRAWS} training outputs per element, against the evaluation output. One
     * draw has standard deviation |x|·√(p/q) (inverted) or |x|·√(pq) (scale at test), so the
     * standard error of the mean is at most |x|·√(p/q)/√DRAWS ≈ 0.0033·|x|; the tolerance, 6 of
     * them (2%), is far below the smallest wrong scaling (q against 1, 30%; 1/q against 1/p, 57%).
     */
    private static void trainingExpectationIsTheEvaluationOutput(Dropout d) {
        double[] rows = new double[DRAWS * X.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = X[i % X.length];
        }
        double[] y = d.forward(Tensor.of(NdArray.of(rows, DRAWS, X.length)), Mode.train(new SplittableRandom(11)))
                .value().toDoubleArray();
        double[] eval = d.forward(Tensor.of(NdArray.of(X, 1, X.length)), Mode.EVAL).value().toDoubleArray();
        double se = Math.sqrt(P / (1 - P) / DRAWS);
        for (int j = 0; j < X.length; j++) {
            double mean = 0;
            for (int r = 0; r < DRAWS; r++) {
                mean += y[r * X.length + j];
            }
            mean /= DRAWS;
            assertEquals(eval[j], mean, 6 * se * Math.abs(X[j]), d + " element " + j);
        }
    }

    @Test
    void invertedDropoutsTrainingExpectationIsTheIdentity() {
        Dropout d = new Dropout(P);
        trainingExpectationIsTheEvaluationOutput(d);
        assertArrayEquals(X, d.forward(Tensor.of(NdArray.of(X, X.length)), Mode.EVAL).value().toDoubleArray());
    }

    @Test
    void scaleAtTestMasksOnlyInTrainingAndScalesByTheKeepProbabilityInEvaluation() {
        Dropout d = new Dropout(P, Dropout.Form.SCALE_AT_TEST);
        trainingExpectationIsTheEvaluationOutput(d);
        double[] y = d.forward(Tensor.of(NdArray.of(X, X.length)), Mode.train(new SplittableRandom(3))).value()
                .toDoubleArray();
        for (int j = 0; j < X.length; j++) {
            assertTrue(y[j] == 0 || y[j] == X[j], "a survivor keeps its value: " + y[j]);
        }
        double[] eval = d.forward(Tensor.of(NdArray.of(X, X.length)), Mode.EVAL).value().toDoubleArray();
        for (int j = 0; j < X.length; j++) {
            assertEquals((1 - P) * X[j], eval[j], 1e-15);
        }
        assertEquals("Dropout(p=0.3, form=scale-at-test)", d.toString());
    }

    /** Scaling the hidden layer's output by q is scaling the next layer's weights by q: out − b = q·(out_inverted − b). */
    @Test
    void anMlpWithScaleAtTestEvaluatesWithTheNextWeightsScaledByTheKeepProbability() {
        Mlp.Spec spec = Mlp.Spec.of(4, 5, 3).withDropout(P).withDtype(DType.FLOAT64);
        Mlp inverted = new Mlp(spec, new SplittableRandom(1));
        Mlp scaled = new Mlp(spec.withDropoutForm(Dropout.Form.SCALE_AT_TEST), new SplittableRandom(1));
        NdArray x = NdArray.randn(new SplittableRandom(2), DType.FLOAT64, 2, 4);
        double[] a = inverted.forward(Tensor.of(x), Mode.EVAL).value().toDoubleArray();
        double[] b = scaled.forward(Tensor.of(x), Mode.EVAL).value().toDoubleArray();
        double[] bias = inverted.stateDict().get("layers.3.bias").toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals((1 - P) * (a[i] - bias[i % 3]), b[i] - bias[i % 3], 1e-12);
        }
    }
}
