package descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import descent.train.SplitMix64;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AugmentationTest {

    private static float[] image() {
        float[] x = new float[8 * 8];
        x[2 * 8 + 3] = 1; // one bright pixel at row 2, column 3
        return x;
    }

    @Test
    void wholePixelCropShiftMovesThePixelExactly() {
        Augmentation crop = Augmentation.parse("crop=2", new int[] {8, 8});
        for (long seed = 0; seed < 20; seed++) {
            float[] x = image();
            crop.apply(x, 0, new SplitMix64(seed));
            // The pixel moved by whole pixels (or left the image): never blurred.
            assertEquals(x.length, Arrays.stream(toDouble(x)).filter(v -> v == 0 || v == 1).count(), "seed " + seed);
            assertEquals(true, Arrays.stream(toDouble(x)).sum() <= 1, "seed " + seed);
        }
    }

    @Test
    void flipMirrorsColumns() {
        Augmentation flip = Augmentation.parse("flip", new int[] {8, 8});
        int flipped = 0;
        for (long seed = 0; seed < 20; seed++) {
            float[] x = image();
            flip.apply(x, 0, new SplitMix64(seed));
            if (x[2 * 8 + 4] == 1) {
                flipped++;
            } else {
                assertEquals(1, x[2 * 8 + 3]);
            }
        }
        assertEquals(true, flipped > 3 && flipped < 17, "about half flipped: " + flipped);
    }

    @Test
    void rotationShearAndScaleActAboutTheCentre() {
        Augmentation r = new Augmentation(new int[] {7, 7}, 0, 90, 20, 0.3, false, 0, 0, 0);
        for (long seed = 0; seed < 10; seed++) {
            float[] x = new float[49];
            x[3 * 7 + 3] = 1; // the centre pixel is a fixed point of every such map
            x[0] = 1; // a corner pixel moves (or leaves) under any rotation but the identity
            r.apply(x, 0, new SplitMix64(seed));
            assertEquals(1, x[3 * 7 + 3], 1e-6, "seed " + seed);
            assertNotEquals(1f, x[0], "seed " + seed);
        }
    }

    @Test
    void sameSeedSameDistortionAndEveryPartDraws() {
        Augmentation all = Augmentation.parse("shift=2,rotation=10,shear=10,scale=0.1,flip,crop=2,elastic=8:3",
                new int[] {1, 8, 8});
        float[] a = image(), b = image(), c = image();
        all.apply(a, 0, new SplitMix64(9));
        all.apply(b, 0, new SplitMix64(9));
        all.apply(c, 0, new SplitMix64(10));
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
        assertEquals("shift=2.0,rotation=10.0,shear=10.0,scale=0.1,flip,crop=2,elastic=8.0:3.0", all.spec());
    }

    @Test
    void badSpecsAreExplained() {
        int[] shape = {8, 8};
        assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("twist=3", shape));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("shift", shape));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("elastic=3", shape));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("scale=1.5", shape));
        assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("shift=2", new int[] {64}));
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
