package descent.optim.fullbatch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.nn.Activation;
import descent.nn.Losses;
import descent.nn.Mlp;
import descent.nn.Mode;
import descent.optim.Closure;
import descent.optim.Minimizer;
import descent.optim.Objective;
import descent.optim.Optimizers;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** L-BFGS on a network's parameters: a small MLP on three spirals, full batch. */
class FullBatchMlpTest {

    static final int PER_CLASS = 40;

    static Tensor inputs() {
        double[] x = new double[3 * PER_CLASS * 2];
        SplittableRandom rng = new SplittableRandom(5);
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < PER_CLASS; i++) {
                double r = (double) i / PER_CLASS;
                double t = c * 2 * Math.PI / 3 + 4 * r + 0.1 * rng.nextGaussian();
                int k = (c * PER_CLASS + i) * 2;
                x[k] = r * Math.cos(t);
                x[k + 1] = r * Math.sin(t);
            }
        }
        return Tensor.of(NdArray.of(x, 3 * PER_CLASS, 2));
    }

    static int[] labels() {
        int[] y = new int[3 * PER_CLASS];
        for (int i = 0; i < y.length; i++) {
            y[i] = i / PER_CLASS;
        }
        return y;
    }

    static double train(Function<Map<String, Tensor>, Minimizer> optimizer) {
        Mlp model = new Mlp(Mlp.Spec.of(2, 16, 16, 3).withActivation(Activation.tanh()).withDtype(DType.FLOAT64),
                new SplittableRandom(1));
        Tensor x = inputs();
        int[] y = labels();
        Objective loss = () -> Losses.crossEntropy(model.forward(x, Mode.EVAL), y);
        Minimizer m = optimizer.apply(model.trainableParameters());
        Closure c = Objective.closure(model.trainableParameters(), loss);
        for (int i = 0; i < 100; i++) {
            m.step(c);
        }
        return loss.loss().item();
    }

    @Test
    void lbfgsBeatsGradientDescentAtItsBestFixedStep() {
        double bestGd = Double.POSITIVE_INFINITY;
        double bestLr = Double.NaN;
        for (double lr : new double[] {0.03, 0.1, 0.3, 1, 3, 10}) {
            double l = train(p -> Optimizers.sgd(lr).over(p));
            if (l < bestGd) {
                bestGd = l;
                bestLr = lr;
            }
        }
        double lbfgs = train(FullBatch::lbfgs);
        assertTrue(lbfgs < bestGd, "L-BFGS loss " + lbfgs + " vs GD's best " + bestGd + " (lr " + bestLr + ")");
    }
}
