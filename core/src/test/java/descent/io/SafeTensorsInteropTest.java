package descent.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.autograd.Tensor;
import descent.init.Init;
import descent.nn.Activation;
import descent.nn.BatchNorm1d;
import descent.nn.Linear;
import descent.nn.Mode;
import descent.nn.Sequential;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperation with PyTorch. Files in PyTorch's layout are made here, in the order the
 * reference writer uses (by dtype, widest first, then name; "__metadata__" first; the header
 * padded with spaces), with PyTorch's dtypes (an int64 num_batches_tracked, F16, BF16, BOOL).
 * The other direction is checked by core/src/test/python/safetensors_fixtures.py, which loads
 * what {@link #descentWritesTheBytesPyTorchWasCheckedAgainst} writes to target/ into PyTorch.
 */
class SafeTensorsInteropTest {

    @TempDir
    Path dir;

    /** The fixture architecture: PyTorch's Sequential(Linear(4, 8), BatchNorm1d(8), ReLU(), Linear(8, 3)). */
    static Sequential model(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new Sequential(new Linear(4, 8, true, Init.fanInUniform(), DType.FLOAT32, rng),
                new BatchNorm1d(8, DType.FLOAT32), Activation.relu(),
                new Linear(8, 3, true, Init.fanInUniform(), DType.FLOAT32, rng));
    }

    /** One tensor as PyTorch stores it: dtype name, shape and little-endian bytes. */
    record Stored(String name, String dtype, int[] shape, byte[] data) {
        int rank() {
            return List.of("BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64")
                    .indexOf(dtype);
        }
    }

    static Stored f32(String name, NdArray a) {
        ByteBuffer b = ByteBuffer.allocate(a.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(a.toFloatArray());
        return new Stored(name, "F32", a.shape(), b.array());
    }

    /** Writes a file the way the reference writer lays it out. */
    Path referenceFile(List<Stored> tensors) throws IOException {
        List<Stored> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingInt(Stored::rank).reversed().thenComparing(Stored::name));
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Stored t : sorted) {
            h.append(",\"").append(t.name()).append("\":{\"dtype\":\"").append(t.dtype()).append("\",\"shape\":")
                    .append(java.util.Arrays.toString(t.shape()).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(offset + t.data().length).append("]}");
            offset += t.data().length;
        }
        h.append('}');
        h.append(" ".repeat((8 - h.length() % 8) % 8));
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate((int) (8 + header.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length).put(header);
        sorted.forEach(t -> out.put(t.data()));
        Path f = dir.resolve("torch.safetensors");
        Files.write(f, out.array());
        return f;
    }

    @Test
    void aStateDictInPyTorchsLayoutLoadsStrictly() throws IOException {
        Sequential source = model(3);
        List<Stored> stored = new ArrayList<>();
        source.stateDict().forEach((name, a) -> {
            if (!name.endsWith("num_batches_tracked")) {
                stored.add(f32(name, a.add(0.25))); // values that differ from a fresh model's
            }
        });
        stored.add(new Stored("1.num_batches_tracked", "I64", new int[0],
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(7).array()));
        Sequential m = model(1);
        assertTrue(m.loadStateDict(SafeTensors.loadTensors(referenceFile(stored)), true).isExact());
        source.stateDict().forEach((name, a) -> {
            if (!name.endsWith("num_batches_tracked")) {
                assertArrayEquals(a.add(0.25).toFloatArray(), m.stateDict().get(name).toFloatArray(), name);
            }
        });
        assertEquals(7, m.stateDict().get("1.num_batches_tracked").item());
    }

    @Test
    void everyPyTorchDtypeReadsExactly() throws IOException {
        ByteBuffer f64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1 / 3.0).putDouble(-2.5);
        ByteBuffer f16 = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putShort(Float.floatToFloat16(1.5f))
                .putShort(Float.floatToFloat16(-0.099975586f)).putShort(Float.floatToFloat16(65504f));
        ByteBuffer bf16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) (Float.floatToRawIntBits(3.140625f) >>> 16))
                .putShort((short) (Float.floatToRawIntBits(-1e20f) >>> 16));
        ByteBuffer i64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-(1L << 53)).putLong(7);
        ByteBuffer i32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(Integer.MIN_VALUE)
                .putInt(Integer.MAX_VALUE);
        Map<String, NdArray> t = SafeTensors.loadTensors(referenceFile(List.of(
                new Stored("f64", "F64", new int[] {2}, f64.array()),
                new Stored("f16", "F16", new int[] {3}, f16.array()),
                new Stored("bf16", "BF16", new int[] {2}, bf16.array()),
                new Stored("i64", "I64", new int[] {2}, i64.array()),
                new Stored("i32", "I32", new int[] {2}, i32.array()),
                new Stored("u8", "U8", new int[] {2}, new byte[] {0, (byte) 255}),
                new Stored("bool", "BOOL", new int[] {2}, new byte[] {1, 0}))));
        assertArrayEquals(new double[] {1 / 3.0, -2.5}, t.get("f64").toDoubleArray());
        assertArrayEquals(new float[] {1.5f, -0.099975586f, 65504f}, t.get("f16").toFloatArray());
        assertArrayEquals(new float[] {3.140625f, Float.intBitsToFloat(Float.floatToRawIntBits(-1e20f) & 0xffff0000)},
                t.get("bf16").toFloatArray());
        assertArrayEquals(new double[] {-0x1p53, 7}, t.get("i64").toDoubleArray());
        assertArrayEquals(new double[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, t.get("i32").toDoubleArray());
        assertArrayEquals(new float[] {0, 255}, t.get("u8").toFloatArray());
        assertArrayEquals(new float[] {1, 0}, t.get("bool").toFloatArray());
    }

    /**
     * Writes the Descent side to target/ for the Python check: a state dict (from seeded weights
     * and set batch-norm buffers, so no arithmetic that could round differently on another CPU)
     * and an input with Descent's output. The state dict's SHA-256 is pinned to the bytes PyTorch
     * last loaded, so a change to the writer cannot go unchecked.
     */
    @Test
    void descentWritesTheBytesPyTorchWasCheckedAgainst() throws IOException, NoSuchAlgorithmException {
        Sequential m = model(7);
        BatchNorm1d bn = (BatchNorm1d) m.get(1);
        bn.runningMean().assign(NdArray.arange(DType.FLOAT32, 8).mul(0.1));
        bn.runningVar().assign(NdArray.arange(DType.FLOAT32, 8).add(1));
        Tensor x = Tensor.randn(new SplittableRandom(9), DType.FLOAT32, 5, 4);
        Map<String, NdArray> io = new LinkedHashMap<>();
        io.put("input", x.value());
        io.put("output", m.forward(x, Mode.EVAL).value());
        Path state = Path.of("target", "descent_model.safetensors");
        SafeTensors.save(state, m.stateDict());
        SafeTensors.save(Path.of("target", "descent_io.safetensors"), io);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(state)));
        assertEquals(PYTORCH_CHECKED_SHA256, sha,
                "Descent's safetensors bytes changed: check them with the Python script, then update the hash");
    }

    static final String PYTORCH_CHECKED_SHA256 = "c5f305d7b12c617851054b3dde40399a4192260736caa2a4c836ecda9b53687b";
}
