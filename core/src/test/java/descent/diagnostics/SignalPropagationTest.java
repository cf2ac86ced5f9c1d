package descent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.init.FanMode;
import descent.init.Init;
import descent.nn.Activation;
import descent.nn.Linear;
import descent.nn.Losses;
import descent.nn.Mode;
import descent.nn.Module;
import descent.nn.Sequential;
import descent.tensor.DType;
import descent.train.SplitMix64;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignalPropagationTest {

    @Test
    void meanFieldGivesTheClosedFormsForReluAndIdentity() {
        for (double c : new double[] {1, 2, 3}) {
            MeanField.Prediction relu = MeanField.predict(Activation.relu(), c, 1.7, 5);
            MeanField.Prediction linear = MeanField.predict(Activation.identity(), c, 1.7, 5);
            for (int l = 0; l < 4; l++) {
                assertEquals(0.5 * Math.log(c / 2), relu.activationSlope()[l], 1e-6);
                assertEquals(-0.5 * Math.log(c / 2), relu.activationGradientSlope()[l], 1e-6);
                assertEquals(0.5 * Math.log(c), linear.activationSlope()[l], 1e-6);
            }
            assertEquals(MeanField.reluSlope(c), relu.meanActivationSlope(0, 4), 1e-6);
        }
        // E[tanh(z)²] for z ~ N(0, 1) is 0.394294 (numerical integration, to six places).
        assertEquals(0.394294, MeanField.expectations(Activation.tanh(), 1)[0], 2e-6);
    }

    @Test
    void sigmoidGradientsArePredictedToVanish() {
        // c = 1: χ = E[σ'(z)²] < 1/16, so the gradient shrinks by more than 4x per layer toward the input.
        MeanField.Prediction p = MeanField.predict(Activation.sigmoid(), 1, 1, 10);
        assertTrue(p.meanActivationGradientSlope(0, 9) > 0.5 * Math.log(16), "slope " + p.meanActivationGradientSlope(0, 9));
    }

    /** A float64 ReLU stack with weights of variance c/fan_in and zero biases. */
    private static Module reluStack(double c, int depth, int width, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        List<Module> layers = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            layers.add(new Linear(width, i + 1 == depth ? 10 : width, true,
                    Init.normalVariance(c, FanMode.FAN_IN), DType.FLOAT64, rng));
            if (i + 1 < depth) {
                layers.add(Activation.relu());
            }
        }
        return new Sequential(layers);
    }

    @Test
    void measuredDepthSlopesOfAReluNetworkMatchTheory() {
        int depth = 16;
        Tensor x = Tensor.randn(new SplitMix64(11), DType.FLOAT64, 256, 256);
        int[] labels = new int[256];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        double[] weightLevel = new double[4];
        for (int c = 1; c <= 3; c++) {
            List<SignalPropagation.Layer> layers = SignalPropagation.measure(reluStack(c, depth, 256, 5), x,
                    out -> Losses.crossEntropy(out, labels), Mode.EVAL);
            assertEquals(depth, layers.size());
            assertEquals("0", layers.getFirst().name());
            double[] act = SignalPropagation.column(layers, SignalPropagation.Layer::activationNorm);
            double[] grad = SignalPropagation.column(layers, SignalPropagation.Layer::activationGradientNorm);
            double[] weight = SignalPropagation.column(layers, SignalPropagation.Layer::perExampleWeightGradientNorm);
            double theory = MeanField.reluSlope(c);
            assertEquals(theory, SignalPropagation.fitLogSlope(act, 1, depth - 1), 0.03, "activations, c = " + c);
            assertEquals(-theory, SignalPropagation.fitLogSlope(grad, 1, depth - 1), 0.05, "gradients, c = " + c);
            assertEquals(0, SignalPropagation.fitLogSlope(weight, 1, depth - 1), 0.03, "weight gradients, c = " + c);
            weightLevel[c] = SignalPropagation.geometricMean(weight, 1, depth - 1);
        }
        // Per-example weight gradients are flat across depth, at levels apart by (c/2)^((L−1)/2):
        // every hidden layer scales the forward signal or the backward gradient by √(c/2).
        for (int c : new int[] {1, 3}) {
            double predicted = (depth - 1) / 2.0 * Math.log(c / 2.0);
            assertEquals(predicted, Math.log(weightLevel[c] / weightLevel[2]), 0.15 * Math.abs(predicted), "c = " + c);
        }
    }

    @Test
    void fitLogSlopeRecoversAGeometricSequence() {
        double[] y = new double[10];
        for (int i = 0; i < y.length; i++) {
            y[i] = 3 * Math.exp(-0.25 * i);
        }
        assertEquals(-0.25, SignalPropagation.fitLogSlope(y, 0, 10), 1e-12);
        assertEquals(3 * Math.exp(-0.25 * 4.5), SignalPropagation.geometricMean(y, 0, 10), 1e-12);
    }
}
