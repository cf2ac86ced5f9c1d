package descent.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.Test;
import descent.io.FuzzFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Mnist.load on a folder where one of the four files is the fuzzer's (the first byte picks which,
 * the rest is its content) and the others are small valid ones: the splits, or an IOException
 * naming the file at fault.
 */
class MnistFuzzTest {

    private static final int TRAIN = 3;
    private static final int TEST = 2;

    @FuzzTest
    void load(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        String replaced = Mnist.FILES.get((data[0] & 0xff) % 4);
        Path dir = folder();
        Path file = dir.resolve(replaced);
        Files.write(file, Arrays.copyOfRange(data, 1, data.length));
        try {
            Mnist.Splits s = Mnist.load(dir, "fuzz");
            if (s.train().size() < 1 || s.test().size() < 1) {
                throw new AssertionError("an empty split was accepted");
            }
        } catch (IOException e) {
            FuzzFile.requireMentions(e, dir.toString());
        } finally {
            Files.write(file, valid(replaced));
        }
    }

    private static Path folder;

    private static Path folder() {
        if (folder == null) {
            Path dir = FuzzFile.write("mnist-probe", new byte[0]).resolveSibling("mnist");
            try {
                Files.createDirectories(dir);
                for (String f : Mnist.FILES) {
                    Files.write(dir.resolve(f), valid(f));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            folder = dir;
        }
        return folder;
    }

    /** A valid file of the standard name {@code name}: 4×4 ubyte images, or labels 0–9. */
    static byte[] valid(String name) {
        int n = name.startsWith("train") ? TRAIN : TEST;
        return name.contains("images") ? IdxFuzzTest.idx(0x08, new int[] {n, 4, 4}, i -> i % 256)
                : IdxFuzzTest.idx(0x08, new int[] {n}, i -> i % 10);
    }

    /** The seed corpus: each of the four files, valid (scripts/fuzz.sh --seeds). */
    @Test
    @EnabledIfSystemProperty(named = FuzzFile.SEEDS, matches = ".+")
    void writeSeeds() throws IOException {
        Path dir = FuzzFile.seeds(MnistFuzzTest.class, "load");
        for (int k = 0; k < 4; k++) {
            byte[] file = valid(Mnist.FILES.get(k));
            byte[] seed = new byte[file.length + 1];
            seed[0] = (byte) k;
            System.arraycopy(file, 0, seed, 1, file.length);
            Files.write(dir.resolve("seed-" + Mnist.FILES.get(k)), seed);
        }
    }
}
