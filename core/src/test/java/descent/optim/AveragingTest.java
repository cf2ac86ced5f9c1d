package descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.tensor.NdArray;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AveragingTest {

    @Test
    void polyakAveragesTheIteratesAfterTheStart() {
        Tensor p = Tensor.param(NdArray.of(new double[] {0}, 1));
        Averaging avg = Averaging.polyak(Map.of("p", p), 2);
        for (double v : new double[] {10, 20, 1, 2, 6}) {
            p.assign(NdArray.of(new double[] {v}, 1));
            avg.update();
            if (v == 20) {
                assertNull(avg.average("p"), "nothing before the start step");
            }
        }
        assertEquals(3, avg.average("p").item(), 1e-15);
        try (var _ = avg.swapIn()) {
            assertEquals(3, p.value().item(), 1e-15);
        }
        assertEquals(6, p.value().item());
    }

    @Test
    void exponentialAveragingIsAnEmaOfWeights() {
        Tensor p = Tensor.param(NdArray.of(new double[] {4}, 1));
        Averaging avg = Averaging.exponential(Map.of("p", p), 0.5);
        avg.update();
        p.assign(NdArray.of(new double[] {8}, 1));
        avg.update();
        assertEquals(6, avg.average("p").item());
    }

    @Test
    void specsParseInTheirFormAndOthersAreRefusedWithIt() {
        assertEquals(Averaging.Spec.polyak(0), Averaging.Spec.parse("polyak"));
        assertEquals(Averaging.Spec.polyak(500), Averaging.Spec.parse("polyak:500"));
        assertEquals(Averaging.Spec.exponential(0.999), Averaging.Spec.parse("ema:0.999"));
        for (String s : new String[] {"polyak", "polyak:500", "ema:0.999"}) {
            assertEquals(s, Averaging.Spec.parse(s).toString());
        }
        for (String bad : new String[] {"ema", "ema:1", "ema:0", "ema:-0.5", "ema:x", "polyak:-1", "polyak:1.5",
                "polyak:1:2", "swa", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Averaging.Spec.parse(bad));
            assertTrue(e.getMessage().contains("polyak[:START]") && e.getMessage().contains("ema:DECAY"), e.getMessage());
        }
    }

    @Test
    void restoredStateContinuesTheSameAverage() {
        Tensor p = Tensor.param(NdArray.of(new double[] {2}, 1));
        Averaging a = Averaging.polyak(Map.of("p", p), 1);
        a.update();
        a.update();
        p.assign(NdArray.of(new double[] {4}, 1));
        a.update();
        Averaging b = Averaging.polyak(Map.of("p", p), 1);
        b.restore(a.updates(), a.averaged(), a.averages());
        p.assign(NdArray.of(new double[] {9}, 1));
        a.update();
        b.update();
        assertEquals(5, b.average("p").item());
        assertEquals(a.average("p").item(), b.average("p").item());
        assertThrows(IllegalArgumentException.class, () -> b.restore(3, 2, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> b.restore(3, 2, Map.of("q", NdArray.of(new double[] {1}, 1))));
        assertThrows(IllegalArgumentException.class, () -> b.restore(3, 2, Map.of("p", NdArray.of(new double[] {1, 2}, 2))));
    }
}
