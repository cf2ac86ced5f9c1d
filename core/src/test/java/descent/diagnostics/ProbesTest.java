package descent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Autograd;
import descent.autograd.Tensor;
import descent.diagnostics.Probes.Quantity;
import descent.diagnostics.Probes.Sample;
import descent.init.Init;
import descent.nn.Activation;
import descent.nn.Linear;
import descent.nn.Losses;
import descent.nn.Mlp;
import descent.nn.Mode;
import descent.nn.Residual;
import descent.nn.Sequential;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.SplitMix64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbesTest {

    private static final int[] LABELS = {0, 1, 2, 1, 0, 2};

    private static Mlp model() {
        return new Mlp(Mlp.Spec.of(5, 4, 3).withDtype(DType.FLOAT64), new SplitMix64(7));
    }

    private static Tensor input() {
        return Tensor.randn(new SplitMix64(3), DType.FLOAT64, 6, 5);
    }

    /** forward (observed when sampled), backward, SGD step, record. */
    private static void step(Mlp model, Optimizer opt, Probes probes, long step, Tensor x) {
        opt.zeroGrad();
        var observer = probes.observe(step);
        Tensor out = observer == null ? model.forward(x, Mode.EVAL) : model.forward(x, Mode.EVAL, observer);
        Losses.crossEntropy(out, LABELS).backward();
        opt.step();
        probes.record(step);
    }

    @Test
    void recordsActivationsGradientsAndUpdateRatiosMatchingADirectComputation() {
        Mlp model = model();
        Mlp twin = model();
        Tensor x = input();
        Optimizer opt = Optimizers.sgd(0.1).over(model.trainableParameters());
        Probes probes = new Probes(model, 1);
        step(model, opt, probes, 1, x);

        // The same quantities computed directly on an identical model.
        Tensor hidden = twin.layers().get(0).forward(x, Mode.EVAL);
        Tensor relu = hidden.relu();
        Tensor logits = twin.layers().get(2).forward(relu, Mode.EVAL);
        Tensor loss = Losses.crossEntropy(logits, LABELS);
        List<Tensor> g = Autograd.grad(loss, List.of(hidden, relu, twin.parameter("layers.0.weight")), false);

        Sample act = find(probes, "layers.0", Quantity.ACTIVATION);
        assertEquals(TensorStats.of(hidden.value()).norm(), act.norm(), 1e-12);
        assertEquals(TensorStats.of(hidden.value()).mean(), act.mean(), 1e-12);
        assertEquals(TensorStats.of(hidden.value()).variance(), act.variance(), 1e-12);
        assertEquals(6, act.rows());
        assertEquals(TensorStats.of(g.get(0).value()).norm(), find(probes, "layers.0", Quantity.ACTIVATION_GRADIENT).norm(), 1e-12);
        assertEquals(TensorStats.of(g.get(1).value()).norm(), find(probes, "layers.1", Quantity.ACTIVATION_GRADIENT).norm(), 1e-12);
        double gradNorm = TensorStats.of(g.get(2).value()).norm();
        assertEquals(gradNorm, find(probes, "layers.0.weight", Quantity.PARAMETER_GRADIENT).norm(), 1e-12);
        // Plain SGD moves θ by lr·g, so the ratio is lr·‖g‖/‖θ‖.
        double weightNorm = TensorStats.of(twin.parameter("layers.0.weight").value()).norm();
        assertEquals(0.1 * gradNorm / weightNorm, find(probes, "layers.0.weight", Quantity.UPDATE_RATIO).norm(), 1e-12);
    }

    @Test
    void samplesEveryNthStepOnlyAndWritesCsv() {
        Mlp model = model();
        Optimizer opt = Optimizers.sgd(0.01).over(model.trainableParameters());
        Probes probes = new Probes(model, 3);
        Tensor x = input();
        for (long s = 1; s <= 7; s++) {
            step(model, opt, probes, s, x);
        }
        assertEquals(List.of(1L, 4L, 7L), probes.samples().stream().map(Sample::step).distinct().toList());
        // 3 layers × 2 quantities + 4 parameters × 3 quantities per sampled step.
        assertEquals(18, probes.samples().stream().filter(s -> s.step() == 4).count());
        assertEquals(List.of("layers.0", "layers.1", "layers.2"),
                probes.at(4, Quantity.ACTIVATION).stream().map(Sample::name).toList());
        String csv = probes.csv();
        assertTrue(csv.startsWith(Probes.CSV_HEADER + "\n1,layers.0,activation,"), csv);
        assertEquals(1 + 3 * 18, csv.lines().count());
    }

    @Test
    void anUnsampledStepKeepsNothing() {
        Mlp model = model();
        Probes probes = new Probes(model, 2);
        assertNotNull(probes.observe(1));
        assertNull(probes.observe(2));
        probes.record(2);
        assertTrue(probes.samples().isEmpty());
    }

    @Test
    void seesTheLayersInsideAResidualBlockUnderTheirDottedNames() {
        SplitMix64 rng = new SplitMix64(5);
        Sequential model = new Sequential(new Linear(5, 4, true, Init.xavierNormal(), DType.FLOAT64, rng),
                Residual.bottleneck(4, 2, Activation.tanh(), Init.xavierNormal(), DType.FLOAT64, rng),
                new Linear(4, 3, true, Init.xavierNormal(), DType.FLOAT64, rng));
        Probes probes = new Probes(model, 1);
        Tensor out = model.forward(input(), Mode.EVAL, probes.observe(1));
        Losses.crossEntropy(out, LABELS).backward();
        probes.record(1);
        assertEquals(List.of("0", "1.body.0", "1.body.1", "1.body.2", "2"),
                probes.at(1, Quantity.ACTIVATION).stream().map(Sample::name).toList());
        assertEquals(5, probes.at(1, Quantity.ACTIVATION_GRADIENT).size());
    }

    private static Sample find(Probes probes, String name, Quantity q) {
        return probes.at(1, q).stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void tensorStatsUsesTheWholeArray() {
        TensorStats s = TensorStats.of(NdArray.of(new double[] {3, 4, 0, 0}, 2, 2));
        assertEquals(5, s.norm(), 1e-15);
        assertEquals(1.75, s.mean(), 1e-15);
        assertEquals((1.25 * 1.25 + 2.25 * 2.25 + 2 * 1.75 * 1.75) / 4, s.variance(), 1e-15);
        assertEquals(5 / Math.sqrt(2), s.normPerRow(2), 1e-15);
    }
}
