package descent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import descent.autograd.Tensor;
import descent.init.Init;
import descent.nn.Losses;
import descent.nn.Mlp;
import descent.nn.Mode;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.SplitMix64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SymmetryTest {

    @Test
    void countsRowsEqualWithinTolerance() {
        NdArray w = NdArray.of(new double[] {
            1, 2, 3,
            1, 2, 3 + 1e-9,
            1, 2, 3.1,
            0, 0, 0}, 4, 3);
        assertEquals(3, Symmetry.distinctUnits(w, null, 1e-6));
        assertEquals(4, Symmetry.distinctUnits(w, null, 1e-12));
        // The bias is part of the unit: equal weights, different biases are different units.
        assertEquals(4, Symmetry.distinctUnits(w, NdArray.of(new double[] {0, 1, 0, 0}, 4), 1e-6));
    }

    private static Map<String, Integer> trainAndCount(Mlp model) {
        Optimizer opt = Optimizers.sgd(0.5).over(model.trainableParameters());
        Tensor x = Tensor.randn(new SplitMix64(2), DType.FLOAT64, 32, 6);
        int[] labels = new int[32];
        for (int i = 0; i < 32; i++) {
            labels[i] = i % 3;
        }
        for (int s = 0; s < 20; s++) {
            opt.zeroGrad();
            Losses.crossEntropy(model.forward(x, Mode.EVAL), labels).backward();
            opt.step();
        }
        return Symmetry.distinctUnits(model, Symmetry.TOLERANCE);
    }

    @Test
    void constantInitializationNeverBreaksSymmetry() {
        Mlp constant = new Mlp(Mlp.Spec.of(6, 8, 5, 3).withInit(Init.constant(0.2)).withDtype(DType.FLOAT64),
                new SplitMix64(1));
        assertEquals(List.of(1, 1, 1), List.copyOf(Symmetry.distinctUnits(constant, Symmetry.TOLERANCE).values()));
        Map<String, Integer> after = trainAndCount(constant);
        // Hidden layers stay one unit wide; the output units differ because their labels do.
        assertEquals(1, after.get("layers.0"));
        assertEquals(1, after.get("layers.2"));
        assertEquals(3, after.get("layers.4"));
    }

    @Test
    void randomInitializationGivesEveryUnitItsOwnWeights() {
        Mlp random = new Mlp(Mlp.Spec.of(6, 8, 5, 3).withDtype(DType.FLOAT64), new SplitMix64(1));
        assertEquals(List.of(8, 5, 3), List.copyOf(trainAndCount(random).values()));
    }
}
