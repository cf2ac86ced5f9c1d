package descent.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.SplittableRandom;
import java.util.LinkedHashMap;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import descent.tensor.DType;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.Test;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * SafeTensors.load on any bytes: the tensors, or a SafeTensorsException naming the file, never
 * another exception and never an allocation the header claims but the file does not back.
 */
class SafeTensorsFuzzTest {

    @FuzzTest
    void load(byte[] data) {
        Path file = FuzzFile.write("fuzz.safetensors", data);
        try {
            SafeTensors.Contents c = SafeTensors.load(file);
            long bytes = 0;
            for (NdArray a : c.tensors().values()) {
                bytes += a.size();
            }
            if (bytes > data.length) {
                throw new AssertionError(bytes + " elements from a " + data.length + "-byte file");
            }
            for (Map.Entry<String, String> e : c.metadata().entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new AssertionError("null metadata " + e);
                }
            }
        } catch (SafeTensorsException e) {
            FuzzFile.requireNames(e, file);
        } catch (IOException e) {
            throw new AssertionError("a safetensors problem must be a SafeTensorsException: " + e, e);
        }
    }

    /** The seed corpus: files the writer makes, and one with the dtypes Descent reads but does not write. */
    @Test
    @EnabledIfSystemProperty(named = FuzzFile.SEEDS, matches = ".+")
    void writeSeeds() throws IOException {
        Path dir = FuzzFile.seeds(SafeTensorsFuzzTest.class, "load");
        Map<String, NdArray> m = new LinkedHashMap<>();
        m.put("w", NdArray.randn(new SplittableRandom(1), DType.FLOAT32, 2, 3));
        m.put("b", NdArray.randn(new SplittableRandom(2), DType.FLOAT64, 3));
        m.put("empty", NdArray.zeros(DType.FLOAT32, 0, 2));
        SafeTensors.save(dir.resolve("seed-f32-f64"), m, Map.of("format", "pt", "note", "seed"));
        SafeTensors.save(dir.resolve("seed-empty"), Map.of());
        String header = "{\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"h\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"f\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[12,14]},"
                + "\"q\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[14,16]},"
                + "\"u\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[16,24]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putInt(-3).putInt(7).putShort((short) 0x3f80).putShort((short) 0xc000)
                .putShort((short) 0x3c00).put((byte) 1).put((byte) 0).putLong(12);
        Files.write(dir.resolve("seed-other-dtypes"), b.array());
    }
}
