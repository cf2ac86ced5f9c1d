package descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.train.SplitMix64;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    /** n examples of 2 features (i, 10·i), label i mod 3. */
    static Dataset counting(int n) {
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 * i;
            y[i] = i % 3;
        }
        return new Dataset("counting", x, new int[] {2}, y, 3);
    }

    private static List<Batch> all(DataLoader loader, int epoch, long seed) {
        List<Batch> out = new ArrayList<>();
        try (DataLoader.Epoch e = loader.epoch(epoch, new SplitMix64(seed), new SplitMix64(seed + 1))) {
            while (e.hasNext()) {
                out.add(e.next());
            }
        }
        return out;
    }

    @Test
    void aBatchGathersTheExamplesInOrder() {
        Dataset d = counting(6);
        Batch b = d.batch(new int[] {4, 1});
        assertArrayEquals(new int[] {2, 2}, b.inputs().shape());
        assertArrayEquals(new float[] {4, 40, 1, 10}, b.inputs().toFloatArray());
        assertArrayEquals(new int[] {1, 1}, b.labels());
        assertArrayEquals(new int[] {4, 1}, b.indices());
        assertArrayEquals(new float[] {2, 20, 3, 30, 4, 40}, d.batch(2, 5).inputs().toFloatArray());
    }

    @Test
    void shuffledEpochVisitsEveryExampleOnceAndBatchesMatchTheirIndices() {
        Dataset d = counting(10);
        List<Batch> batches = all(DataLoader.shuffled(d, 4), 0, 7);
        assertEquals(List.of(4, 4, 2), batches.stream().map(Batch::size).toList());
        int[] seen = batches.stream().flatMapToInt(b -> Arrays.stream(b.indices())).sorted().toArray();
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, seen);
        for (Batch b : batches) {
            float[] x = b.inputs().toFloatArray();
            for (int k = 0; k < b.size(); k++) {
                assertEquals(b.indices()[k], x[2 * k]);
                assertEquals(10 * b.indices()[k], x[2 * k + 1]);
                assertEquals(b.indices()[k] % 3, b.labels()[k]);
            }
        }
    }

    @Test
    void sameSeedSameOrderOtherSeedOtherOrder() {
        DataLoader l = DataLoader.shuffled(counting(50), 8);
        int[] a = all(l, 0, 1).stream().flatMapToInt(b -> Arrays.stream(b.indices())).toArray();
        int[] b = all(l, 0, 1).stream().flatMapToInt(x -> Arrays.stream(x.indices())).toArray();
        int[] c = all(l, 0, 2).stream().flatMapToInt(x -> Arrays.stream(x.indices())).toArray();
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    }

    @Test
    void dropLastDropsThePartialBatch() {
        DataLoader l = new DataLoader(counting(10), 4, true, Samplers.sequential(), null);
        List<Batch> batches = all(l, 0, 1);
        assertEquals(2, batches.size());
        assertArrayEquals(new int[] {4, 5, 6, 7}, batches.get(1).indices());
    }

    @Test
    void transformRunsOnTheBackgroundThreadAndItsFailureReachesTheCaller() {
        ExampleTransform doubleIt = (x, off, rng) -> {
            x[off] *= 2;
        };
        DataLoader l = new DataLoader(counting(6), 3, false, Samplers.sequential(), doubleIt);
        assertEquals(4f, all(l, 0, 1).get(0).inputs().toFloatArray()[4]);
        DataLoader broken = new DataLoader(counting(6), 3, false, Samplers.sequential(), (x, off, rng) -> {
            throw new IllegalStateException("bad transform");
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> all(broken, 0, 1));
        assertEquals("the data loader failed preparing batch 1 of 2 (counting): java.lang.IllegalStateException: bad "
                + "transform", e.getMessage());
        assertEquals("bad transform", e.getCause().getMessage());
    }

    @Test
    void closingEarlyStopsTheProducerBlockedOnAFullQueue() {
        DataLoader l = DataLoader.shuffled(counting(1000), 1);
        DataLoader.Epoch e = l.epoch(0, new SplitMix64(1), new SplitMix64(2));
        e.next();
        // close() interrupts and joins the producer; it would hang if the producer ignored that.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), e::close);
    }

    @Test
    void splitIsDisjointAndSeeded() {
        Dataset d = counting(100);
        Dataset.Split a = d.split(0.2, new SplitMix64(3));
        Dataset.Split b = d.split(0.2, new SplitMix64(3));
        assertEquals(80, a.train().size());
        assertEquals(20, a.validation().size());
        java.util.Set<Float> train = new java.util.HashSet<>();
        for (int i = 0; i < 80; i++) {
            train.add(a.train().feature(i, 0));
            assertEquals(b.train().feature(i, 0), a.train().feature(i, 0));
        }
        for (int i = 0; i < 20; i++) {
            assertTrue(!train.contains(a.validation().feature(i, 0)));
        }
    }

    @Test
    void momentsPerFeatureAndGlobal() {
        Dataset d = new Dataset("m", new float[] {1, 5, 3, 5}, new int[] {2}, new int[] {0, 1}, 2);
        Dataset.Moments per = d.moments(true);
        assertArrayEquals(new float[] {2, 5}, per.mean());
        assertArrayEquals(new float[] {1, 1}, per.std()); // feature 2 is constant: std 1, not 0
        Dataset.Moments global = d.moments(false);
        assertEquals(3.5f, global.mean()[0]);
        assertEquals((float) Math.sqrt(2.75), global.std()[0], 1e-6);
    }

    @Test
    void curriculumStartsWithTheEasiestAndWidens() {
        double[] difficulty = new double[20];
        for (int i = 0; i < 20; i++) {
            difficulty[i] = 20 - i; // example 19 is the easiest
        }
        Curriculum c = new Curriculum(difficulty, Curriculum.Pacing.linear(0.25, 3));
        int[] first = c.order(0, 20, new SplitMix64(1));
        assertEquals(5, first.length);
        assertArrayEquals(new int[] {15, 16, 17, 18, 19}, Arrays.stream(first).sorted().toArray());
        assertEquals(10, c.poolSize(1));
        assertEquals(20, c.poolSize(3));
        assertEquals(20, c.poolSize(9));
        assertThrows(IllegalArgumentException.class, () -> Curriculum.Pacing.parse("linear:0:3"));
    }

    @Test
    void distanceToClassMeanRanksOutliersLast() {
        float[] x = {0, 0, 0.1f, 0, 5, 5, 0, 0.1f};
        Dataset d = new Dataset("o", x, new int[] {2}, new int[] {0, 0, 0, 0}, 1);
        double[] s = Curriculum.distanceToClassMean(d);
        int hardest = 0;
        for (int i = 1; i < s.length; i++) {
            hardest = s[i] > s[hardest] ? i : hardest;
        }
        assertEquals(2, hardest);
    }
}
