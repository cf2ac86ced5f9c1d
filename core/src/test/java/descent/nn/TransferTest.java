package descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.tensor.DType;
import descent.tensor.NdArray;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TransferTest {

    private static Classifier classifier(int classes, long seed) {
        return new Classifier(new Standardize(new float[] {0.5f}, new float[] {2f}, DType.FLOAT32),
                new Mlp(Mlp.Spec.of(6, 5, 4, classes).withBatchNorm(true), new SplittableRandom(seed)));
    }

    private static void assertSame(NdArray a, NdArray b, String name) {
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0, name);
    }

    @Test
    void loadsEverythingButTheFreshModulesWhichKeepTheirOwnValues() {
        Classifier source = classifier(10, 1);
        Classifier target = classifier(3, 2);
        String head = Transfer.outputLayer(target);
        assertEquals("body.layers.6", head);
        NdArray headBefore = target.parameter(head + ".weight").value().copy();
        assertEquals(List.of(head), Transfer.load(target, source.stateDict(), List.of(head)));
        source.stateDict().forEach((k, v) -> {
            if (!k.startsWith(head + ".")) {
                assertSame(v, target.stateDict().get(k), k);
            }
        });
        assertSame(headBefore, target.parameter(head + ".weight").value(), "the new head keeps its initialization");
        assertArrayEquals(new int[] {3, 4}, target.parameter(head + ".weight").shape());
    }

    @Test
    void aMismatchNamesTheParameterAndBothShapesAndLoadsNothing() {
        Classifier source = classifier(10, 1);
        Classifier target = classifier(3, 2);
        Map<String, NdArray> before = Map.copyOf(target.stateDict());
        NdArray firstBefore = target.parameter("body.layers.0.weight").value().copy();
        StateDictException e = assertThrows(StateDictException.class, () -> Transfer.load(target, source.stateDict(),
                List.of()));
        assertTrue(e.getMessage().contains("body.layers.6.weight: state dict has FLOAT32[10, 4], module has FLOAT32[3, 4]"),
                e.getMessage());
        assertSame(firstBefore, target.parameter("body.layers.0.weight").value(), "nothing loaded");
        assertEquals(before.keySet(), target.stateDict().keySet());
        // A fresh module that does not exist lists the layers there are.
        String unknown = assertThrows(IllegalArgumentException.class, () -> Transfer.load(target, source.stateDict(),
                List.of("layers.9"))).getMessage();
        assertTrue(unknown.contains("no layer 'layers.9'") && unknown.contains("body.layers.6"), unknown);
    }

    @Test
    void freezeTakesNamesInsideTheMlpAndRemovesThemFromTheTrainableParameters() {
        Classifier model = classifier(3, 1);
        assertEquals(List.of("body.layers.0", "body.layers.1"), Transfer.freeze(model, List.of("layers.0", "body.layers.1")));
        assertEquals(List.of("body.layers.3.weight", "body.layers.4.weight", "body.layers.4.bias", "body.layers.6.weight",
                "body.layers.6.bias"), List.copyOf(model.trainableParameters().keySet()));
        assertFalse(model.parameter("body.layers.0.weight").requiresGrad());
        Classifier other = classifier(3, 1);
        assertThrows(IllegalArgumentException.class, () -> Transfer.freeze(other, List.of("layers.0", "layers.77")));
        assertTrue(other.submodule("body.layers.0").trainableParameters().size() == 1, "an error freezes nothing");
        // "0" ends only body.layers.0 here; an ending that two paths share is refused.
        assertEquals("body.layers.0", ModulePaths.resolve(model, "0"));
        Module twoOfThem = new Module() {
            {
                registerModule("a", new Sequential(new Linear(2, 2, new SplittableRandom(1))));
                registerModule("b", new Sequential(new Linear(2, 2, new SplittableRandom(1))));
            }

            @Override
            public descent.autograd.Tensor forward(descent.autograd.Tensor x, Mode mode) {
                return x;
            }
        };
        String ambiguous = assertThrows(IllegalArgumentException.class, () -> ModulePaths.resolve(twoOfThem, "0"))
                .getMessage();
        assertTrue(ambiguous.contains("ambiguous") && ambiguous.contains("a.0, b.0"), ambiguous);
    }
}
