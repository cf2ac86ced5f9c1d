package descent.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.Test;
import descent.io.FuzzFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Idx.read on any bytes, raw and gzipped: the contents, or an IdxFormatException naming the file
 * and the offset (a NoSuchFileException-free IOException for a corrupt gzip stream), never another
 * exception, never an allocation the file does not back.
 */
class IdxFuzzTest {

    /** The bytes as a file: IDX, or gzip (recognized by its magic) holding anything. */
    @FuzzTest
    void read(byte[] data) {
        check(FuzzFile.write("fuzz-idx3-ubyte", data));
    }

    /** The bytes gzipped, so that every IDX header the fuzzer finds also goes through decompression. */
    @FuzzTest
    void readGzipped(byte[] data) throws IOException {
        check(FuzzFile.write("fuzz-idx3-ubyte.gz", gzip(data)));
    }

    private static void check(Path file) {
        try {
            Idx.Contents c = Idx.read(file);
            if (c.values().length != (long) c.count() * c.itemSize()) {
                throw new AssertionError("shape " + java.util.Arrays.toString(c.shape()) + " for "
                        + c.values().length + " values");
            }
        } catch (IdxFormatException e) {
            FuzzFile.requireNames(e, file);
            FuzzFile.requireMentions(e, "offset");
        } catch (IOException e) {
            throw new AssertionError("an IDX problem must be an IdxFormatException naming the offset: " + e, e);
        }
    }

    /** An IDX file of type {@code type} (0x08 ubyte ... 0x0E double) and {@code shape}, value i being {@code value(i)}. */
    static byte[] idx(int type, int[] shape, java.util.function.IntUnaryOperator value) {
        int count = 1;
        for (int d : shape) {
            count *= d;
        }
        int width = switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            default -> 8;
        };
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * shape.length + count * width);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) shape.length);
        for (int d : shape) {
            b.putInt(d);
        }
        for (int i = 0; i < count; i++) {
            int v = value.applyAsInt(i);
            switch (type) {
                case 0x08, 0x09 -> b.put((byte) v);
                case 0x0B -> b.putShort((short) v);
                case 0x0C -> b.putInt(v);
                case 0x0D -> b.putFloat(v);
                default -> b.putDouble(v);
            }
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

    /** The seed corpora: a small file of every type, raw and gzipped (scripts/fuzz.sh --seeds). */
    @Test
    @EnabledIfSystemProperty(named = FuzzFile.SEEDS, matches = ".+")
    void writeSeeds() throws IOException {
        Path raw = FuzzFile.seeds(IdxFuzzTest.class, "read");
        Path gz = FuzzFile.seeds(IdxFuzzTest.class, "readGzipped");
        for (int type : new int[] {0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E}) {
            byte[] file = idx(type, new int[] {2, 3, 2}, i -> i - 3);
            Files.write(raw.resolve(String.format("seed-type-%02x", type)), file);
            Files.write(gz.resolve(String.format("seed-type-%02x", type)), file);
        }
        Files.write(raw.resolve("seed-labels"), idx(0x08, new int[] {5}, i -> i));
        Files.write(raw.resolve("seed-gzipped"), gzip(idx(0x08, new int[] {2, 2, 2}, i -> 7 * i)));
    }
}
