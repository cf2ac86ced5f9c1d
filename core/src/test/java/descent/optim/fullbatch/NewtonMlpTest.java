package descent.optim.fullbatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.nn.Activation;
import descent.nn.Losses;
import descent.nn.Mlp;
import descent.nn.Mode;
import descent.optim.Closure;
import descent.optim.Objective;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Newton's method on a network, where the Hessian is indefinite and singular: a 2-8-3 tanh MLP on
 * 36 points of three spirals, full batch, float64 (51 parameters). Softmax's invariance to a shift
 * of all logits makes H exactly singular; away from a minimum it has negative eigenvalues.
 */
class NewtonMlpTest {

    /** The run's losses: before the first step, then after each. */
    record Run(List<Double> losses, List<Newton.Step> steps) {}

    static Run train(Newton.Variant variant, Newton.Safeguard safeguard, int iterations) {
        Mlp model = new Mlp(Mlp.Spec.of(2, 8, 3).withActivation(Activation.tanh()).withDtype(DType.FLOAT64),
                new SplittableRandom(1));
        int perClass = 12;
        double[] x = new double[3 * perClass * 2];
        int[] y = new int[3 * perClass];
        SplittableRandom rng = new SplittableRandom(5);
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < perClass; i++) {
                double r = (double) (i + 1) / perClass;
                double t = c * 2 * Math.PI / 3 + 4 * r + 0.1 * rng.nextGaussian();
                x[(c * perClass + i) * 2] = r * Math.cos(t);
                x[(c * perClass + i) * 2 + 1] = r * Math.sin(t);
                y[c * perClass + i] = c;
            }
        }
        Tensor inputs = Tensor.of(NdArray.of(x, 3 * perClass, 2));
        Objective loss = () -> Losses.crossEntropy(model.forward(inputs, Mode.EVAL), y);
        Map<String, Tensor> params = model.trainableParameters();
        Newton newton = FullBatch.newton(params, variant, 1, variant == Newton.Variant.PLAIN ? 0 : 1e-3,
                FullBatch.NEWTON_MAX_PARAMETERS, safeguard);
        Closure closure = Objective.closure(params, loss);
        List<Double> losses = new ArrayList<>();
        List<Newton.Step> steps = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            losses.add(newton.step(closure));
            steps.add(newton.lastStep());
        }
        losses.add(loss.loss().item());
        return new Run(losses, steps);
    }

    @Test
    void unguardedSaddleFreeNewtonDivergesAtItsDefaults() {
        List<Double> losses = train(Newton.Variant.SADDLE_FREE, Newton.Safeguard.NONE, 3).losses();
        assertEquals(1.823, losses.getFirst(), 1e-3);
        assertTrue(losses.getLast() > 10 * losses.getFirst(), "the raw method's full steps along flat directions: " + losses);
    }

    @Test
    void plainNewtonTakesTheMinimumNormStepOnASingularHessian() {
        Run run = train(Newton.Variant.PLAIN, Newton.Safeguard.NONE, 1);
        assertEquals(Newton.Direction.MINIMUM_NORM, run.steps().getFirst().direction());
        assertEquals(1, run.steps().getFirst().alpha());
        assertTrue(run.losses().getLast() < run.losses().getFirst(), run.losses().toString());
    }

    @Test
    void safeguardedNewtonLowersTheLossEveryStepAndReachesALowLoss() {
        for (Newton.Variant variant : new Newton.Variant[] {Newton.Variant.PLAIN, Newton.Variant.SADDLE_FREE}) {
            Run run = train(variant, Newton.Safeguard.BACKTRACKING, 20);
            List<Double> l = run.losses();
            for (int i = 1; i < l.size(); i++) {
                assertTrue(l.get(i) < l.get(i - 1), variant + " raised the loss at step " + i + ": " + l);
            }
            assertTrue(l.getLast() < 0.005, variant + " from " + l.getFirst() + " to " + l.getLast());
            if (variant == Newton.Variant.PLAIN) {
                assertTrue(run.steps().stream().anyMatch(s -> s.direction() == Newton.Direction.EIGENVALUE_MODIFIED),
                        "the indefinite Hessian's Newton steps along ridges were replaced: " + run.steps());
            }
        }
    }
}
