package descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    @TempDir
    Path dir;

    /** An IDX ubyte file with the given shape and values 0, 1, 2, ... (mod 256). */
    static byte[] idx(int... shape) {
        int count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * shape.length + count);
        b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) shape.length);
        for (int d : shape) {
            b.putInt(d);
        }
        for (int i = 0; i < count; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(raw);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void readsRawAndGzippedFilesAlike() throws IOException {
        byte[] raw = idx(3, 2, 2);
        Idx.Contents a = Idx.read(write("a-idx3-ubyte", raw));
        Idx.Contents b = Idx.read(write("b-idx3-ubyte.gz", gzip(raw)));
        assertArrayEquals(new int[] {3, 2, 2}, a.shape());
        assertEquals(4, a.itemSize());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, a.values());
        assertArrayEquals(a.values(), b.values());
    }

    @Test
    void readsOtherTypesBigEndian() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 8);
        b.put(new byte[] {0, 0, 0x0D, 1}).putInt(2).putFloat(1.5f).putFloat(-2.25f);
        assertArrayEquals(new float[] {1.5f, -2.25f}, Idx.read(write("f.idx", b.array())).values());
    }

    @Test
    void everyTruncationIsRejectedWithFileAndOffset() throws IOException {
        byte[] raw = idx(5, 3, 3);
        for (int len = 0; len < raw.length; len++) {
            Path p = write("t-" + len, Arrays.copyOf(raw, len));
            IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(p), "length " + len);
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("offset"), e.getMessage());
        }
    }

    @Test
    void trailingBytesBadMagicTypeAndDimensionsAreRejected() throws IOException {
        byte[] raw = idx(2, 2);
        byte[] longer = Arrays.copyOf(raw, raw.length + 3);
        assertMessage(write("long", longer), "3 bytes follow the data");
        byte[] magic = raw.clone();
        magic[0] = 0x1;
        assertMessage(write("magic", magic), "not an IDX file");
        byte[] type = raw.clone();
        type[2] = 0x07;
        assertMessage(write("type", type), "unknown IDX type code 0x07");
        byte[] zeroDim = raw.clone();
        ByteBuffer.wrap(zeroDim).putInt(4, 0);
        assertMessage(write("dim", zeroDim), "dimension 0 is 0");
        byte[] huge = raw.clone();
        ByteBuffer.wrap(huge).putInt(4, Integer.MAX_VALUE).putInt(8, Integer.MAX_VALUE);
        assertMessage(write("huge", huge), "more than");
    }

    @Test
    void corruptGzipIsRejected() throws IOException {
        byte[] z = gzip(idx(10, 4, 4));
        assertMessage(write("cut.gz", Arrays.copyOf(z, z.length / 2)), "corrupt or truncated gzip");
    }

    /** A gzip bomb: a 4-byte data set followed by 16 MB of zeros is refused after the header's 12 bytes and one more. */
    @Test
    void gzipIsDecompressedNoFurtherThanTheHeaderClaims() throws IOException {
        Path bomb = dir.resolve("bomb.gz");
        try (GZIPOutputStream z = new GZIPOutputStream(Files.newOutputStream(bomb))) {
            z.write(idx(4));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 16; i++) {
                z.write(zeros);
            }
        }
        assertMessage(bomb, "more bytes follow the data that shape [4] describes");
        assertMessage(bomb, "offset 12)");
    }

    private static void assertMessage(Path p, String fragment) {
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().contains(fragment) && e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void mnistFolderLoadsScaledImagesAndChecksLabels() throws IOException {
        writeMnist(dir, 6, 4, false);
        Mnist.Splits s = Mnist.load(dir, "tiny");
        assertEquals(6, s.train().size());
        assertArrayEquals(new int[] {28, 28}, s.train().exampleShape());
        assertEquals(1f / 255, s.train().feature(0, 1), 1e-7);
        assertEquals(3, s.test().label(3));
        // A label of 10 in the test labels is refused, naming the file and the label's offset.
        byte[] labels = Files.readAllBytes(dir.resolve("t10k-labels-idx1-ubyte"));
        labels[8 + 2] = 10;
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.load(dir, "tiny"));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte") && e.getMessage().contains("offset 10"), e.getMessage());
    }

    @Test
    void mismatchedCountsAndMissingFilesAreNamed() throws IOException {
        writeMnist(dir, 6, 4, true);
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(labels(5)));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Mnist.load(dir, "tiny"));
        assertTrue(e.getMessage().contains("5 labels for 6 images"), e.getMessage());
        Files.delete(dir.resolve("t10k-images-idx3-ubyte.gz"));
        assertEquals(java.util.List.of("t10k-images-idx3-ubyte"), Mnist.missing(dir));
    }

    /** Writes a tiny MNIST-layout folder: images whose pixels count up, labels i mod 10. */
    static void writeMnist(Path dir, int train, int test, boolean gz) throws IOException {
        String suffix = gz ? ".gz" : "";
        Files.write(dir.resolve("train-images-idx3-ubyte" + suffix), maybeGzip(idx(train, 28, 28), gz));
        Files.write(dir.resolve("train-labels-idx1-ubyte" + suffix), maybeGzip(labels(train), gz));
        Files.write(dir.resolve("t10k-images-idx3-ubyte" + suffix), maybeGzip(idx(test, 28, 28), gz));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte" + suffix), maybeGzip(labels(test), gz));
    }

    private static byte[] maybeGzip(byte[] raw, boolean gz) throws IOException {
        return gz ? gzip(raw) : raw;
    }

    static byte[] labels(int n) {
        ByteBuffer b = ByteBuffer.allocate(8 + n);
        b.put(new byte[] {0, 0, 0x08, 1}).putInt(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (i % 10));
        }
        return b.array();
    }
}
