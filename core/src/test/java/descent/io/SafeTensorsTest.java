package descent.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path dir;

    static Map<String, NdArray> sample() {
        Map<String, NdArray> m = new LinkedHashMap<>();
        float[] special = {0f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.intBitsToFloat(0x7fc00123),
            Float.NEGATIVE_INFINITY, 1e-40f, 3.14159f};
        m.put("layers.0.weight", NdArray.of(special, 3, 3));
        m.put("layers.0.bias", NdArray.randn(new SplittableRandom(1), DType.FLOAT64, 5));
        m.put("scalar", NdArray.scalar(DType.FLOAT64, 42));
        m.put("empty", NdArray.zeros(DType.FLOAT32, 0, 4));
        m.put("transposed \"view\" ü", NdArray.arange(DType.FLOAT32, 6).reshape(2, 3).transpose(0, 1));
        return m;
    }

    @Test
    void roundTripsBitExactlyWithMetadata() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Map<String, NdArray> in = sample();
        SafeTensors.save(f, in, Map.of("format", "pt", "note", "quotes \" and\nnewlines"));
        SafeTensors.Contents out = SafeTensors.load(f);
        assertEquals(List.copyOf(in.keySet()), List.copyOf(out.tensors().keySet()));
        in.forEach((name, a) -> {
            NdArray b = out.tensors().get(name);
            assertEquals(a.dtype(), b.dtype(), name);
            assertArrayEquals(a.shape(), b.shape(), name);
            if (a.dtype() == DType.FLOAT32) {
                assertArrayEquals(bits(a.toFloatArray()), bits(b.toFloatArray()), name);
            } else {
                assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), name);
            }
        });
        assertEquals(Map.of("format", "pt", "note", "quotes \" and\nnewlines"), out.metadata());
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "data is 8-byte aligned");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    static int[] bits(float[] f) {
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Float.floatToRawIntBits(f[i]);
        }
        return out;
    }

    // ---------------------------------------------------------------- malformed files

    /** A file with the given header and data bytes. */
    Path file(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = Files.createTempFile(dir, "bad", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    String reject(Path f) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.load(f));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        return e.getMessage().substring(f.toString().length() + 2);
    }

    static final String ONE = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void theSameContentsGiveTheSameBytesWhateverTheMetadataOrder() throws IOException {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        SafeTensors.save(dir.resolve("ab.safetensors"), sample(), ab);
        SafeTensors.save(dir.resolve("ba.safetensors"), sample(), ba);
        assertArrayEquals(Files.readAllBytes(dir.resolve("ab.safetensors")), Files.readAllBytes(dir.resolve("ba.safetensors")));
    }

    @Test
    void everyTruncationIsRejectedCleanly() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensors.save(good, sample());
        byte[] all = Files.readAllBytes(good);
        for (int n = 0; n < all.length; n++) {
            Path cut = dir.resolve("cut.safetensors");
            Files.write(cut, Arrays.copyOf(all, n));
            reject(cut);
        }
    }

    @Test
    void rejectsHugeOrOverlongHeaders() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        assertEquals("header length 1099511627776 at offset 0 exceeds the 100000000-byte limit", reject(f));
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
        assertEquals("header length 18446744073709551615 at offset 0 exceeds the 100000000-byte limit", reject(f));
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100).array());
        assertEquals("header length 100 at offset 0 runs past the end of the 16-byte file", reject(f));
        Files.write(f, new byte[3]);
        assertEquals("file is 3 bytes, shorter than the 8-byte header length", reject(f));
    }

    @Test
    void rejectsBadOffsets() throws IOException {
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[%d,%d]}}";
        assertTrue(reject(file(two.formatted(4, 12), new byte[12])).contains("tensor 'b' at file offset")
                && reject(file(two.formatted(4, 12), new byte[12])).contains("overlaps tensor 'a'"));
        assertTrue(reject(file(two.formatted(12, 20), new byte[20])).contains("belong to no tensor"));
        assertTrue(reject(file(two.formatted(8, 16), new byte[12])).contains("past the end"));
        assertTrue(reject(file(ONE, new byte[12])).contains("4 trailing bytes"));
        assertTrue(reject(file(ONE.replace("[0,8]", "[8,0]"), new byte[8])).contains("invalid data_offsets"));
        assertTrue(reject(file(ONE.replace("[0,8]", "[0,9]"), new byte[9])).contains("holds 9 bytes"));
        assertTrue(reject(file(ONE.replace("[0,8]", "[0]"), new byte[8])).contains("[begin, end]"));
        assertTrue(reject(file(ONE.replace("[0,8]", "[0,8.5]"), new byte[8])).contains("non-integer"));
    }

    @Test
    void rejectsBadDtypesAndShapes() throws IOException {
        assertTrue(reject(file(ONE.replace("F32", "Q4"), new byte[8])).contains("unsupported dtype 'Q4'"));
        assertTrue(reject(file(ONE.replace("F32", "F64"), new byte[8])).contains("needs 16"));
        assertTrue(reject(file(ONE.replace("[2]", "[-2]"), new byte[8])).contains("invalid dimension"));
        assertTrue(reject(file(ONE.replace("[2]", "[65536,65536]"), new byte[8])).contains("more elements"));
        assertTrue(reject(file(ONE.replace("\"shape\":[2],", ""), new byte[8])).contains("no shape"));
        assertTrue(reject(file(ONE.replace("\"dtype\"", "\"type\""), new byte[8])).contains("unknown field 'type'"));
    }

    @Test
    void rejectsMalformedHeaders() throws IOException {
        assertTrue(reject(file("[1]     ", new byte[0])).contains("does not start with '{'"));
        assertTrue(reject(file("{\"a\":", new byte[0])).contains("not valid JSON at file offset 13"));
        assertTrue(reject(file("{\"a\":1,\"a\":2}", new byte[0])).contains("duplicate key"));
        assertTrue(reject(file("{\"a\":1}", new byte[0])).contains("not described by an object"));
        assertTrue(reject(file("{\"__metadata__\":{\"k\":1}}", new byte[0])).contains("is not a string"));
        assertTrue(reject(file("{\"a\":" + "[".repeat(10_000), new byte[0])).contains("nesting deeper"));
        byte[] h = {'{', (byte) 0xC3, '}'};
        Path f = dir.resolve("utf8.safetensors");
        Files.write(f, ByteBuffer.allocate(11).order(ByteOrder.LITTLE_ENDIAN).putLong(3).put(h).array());
        assertTrue(reject(f).contains("not valid UTF-8"));
    }

    @Test
    void convertsOtherDtypesExactlyOrRefuses() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(2 + 2 + 8 + 1).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort(Float.floatToFloat16(1.5f)).putShort((short) (Float.floatToRawIntBits(-2.25f) >>> 16))
                .putLong(1L << 40).put((byte) 1);
        String h = "{\"h\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]},"
                + "\"n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[4,12]},"
                + "\"t\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[12,13]}}";
        Map<String, NdArray> m = SafeTensors.loadTensors(file(h, d.array()));
        assertEquals(1.5, m.get("h").item());
        assertEquals(DType.FLOAT32, m.get("b").dtype());
        assertEquals(-2.25, m.get("b").item());
        assertEquals(DType.FLOAT64, m.get("n").dtype());
        assertEquals(0x1p40, m.get("n").item());
        assertEquals(1, m.get("t").item());

        ByteBuffer big = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong((1L << 53) + 1);
        assertTrue(reject(file("{\"n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", big.array()))
                .contains("beyond the integers float64 holds exactly"));
        assertTrue(reject(file("{\"t\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[] {7}))
                .contains("not a boolean"));
    }

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensors.save(good, sample(), Map.of("k", "v"));
        byte[] all = Files.readAllBytes(good);
        SplittableRandom rng = new SplittableRandom(3);
        Path bad = dir.resolve("fuzz.safetensors");
        for (int trial = 0; trial < 2000; trial++) {
            byte[] b = all.clone();
            int flips = 1 + rng.nextInt(4);
            for (int k = 0; k < flips; k++) {
                int at = rng.nextInt(Math.min(b.length, 8 + 400)); // mostly the length and header
                b[at] = (byte) rng.nextInt(256);
            }
            Files.write(bad, b);
            try {
                SafeTensors.load(bad);
            } catch (SafeTensorsException expected) {
                // a clean rejection
            }
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFile() throws IOException {
        Path f = dir.resolve("keep.txt");
        AtomicFiles.writeString(f, "old");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }
}
