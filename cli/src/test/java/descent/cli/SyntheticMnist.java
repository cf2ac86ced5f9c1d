package descent.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Learnable MNIST-layout IDX files for tests: each class is a bright 7×7 block at its own place, plus noise. */
public final class SyntheticMnist {

    private SyntheticMnist() {}

    /** Writes {@code prefix-images-idx3-ubyte} and {@code prefix-labels-idx1-ubyte} with n examples. */
    public static void write(Path dir, String prefix, int n, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        ByteBuffer images = ByteBuffer.allocate(16 + n * 784).put(new byte[] {0, 0, 8, 3}).putInt(n).putInt(28).putInt(28);
        ByteBuffer labels = ByteBuffer.allocate(8 + n).put(new byte[] {0, 0, 8, 1}).putInt(n);
        for (int i = 0; i < n; i++) {
            int y = rng.nextInt(10);
            labels.put((byte) y);
            int r0 = 2 + 7 * (y / 4), c0 = 2 + 6 * (y % 4);
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    boolean on = r >= r0 && r < r0 + 7 && c >= c0 && c < c0 + 7;
                    images.put((byte) Math.min(255, (on ? 160 : 0) + rng.nextInt(90)));
                }
            }
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), images.array());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
    }
}
