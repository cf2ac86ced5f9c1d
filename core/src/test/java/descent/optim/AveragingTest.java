package descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
