package descent.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import descent.train.SplitMix64;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An epoch started at batch k gives the very batches k, k+1, ... of the whole epoch, augmentation included. */
class DataLoaderResumeTest {

    private static final DataLoader LOADER = new DataLoader(DataLoaderTest.counting(50), 8, false, Samplers.shuffled(),
            (x, offset, rng) -> x[offset] += (float) rng.nextGaussian()); // one draw per example

    /** The batches' inputs from batch {@code from} on, and the generators' states once the epoch is done. */
    private static List<Object> epochFrom(int from) {
        SplitMix64 order = new SplitMix64(3);
        SplitMix64 augmentation = new SplitMix64(4);
        List<Object> out = new ArrayList<>();
        try (DataLoader.Epoch e = LOADER.epoch(1, order, augmentation, from)) {
            assertEquals(7, e.batches());
            while (e.hasNext()) {
                Batch b = e.next();
                out.add(List.of(java.util.Arrays.toString(b.inputs().toFloatArray()),
                        java.util.Arrays.toString(b.indices())));
            }
        }
        out.add(order.state());
        out.add(augmentation.state());
        return out;
    }

    @Test
    void anEpochStartedAtABatchContinuesTheWholeEpochExactly() {
        List<Object> whole = epochFrom(0);
        for (int from : new int[] {1, 3, 6, 7}) {
            List<Object> rest = epochFrom(from);
            assertEquals(whole.subList(from, whole.size()), rest, "from batch " + from);
        }
        assertThrows(IllegalArgumentException.class, () -> LOADER.epoch(0, new SplitMix64(1), new SplitMix64(2), 8));
    }
}
