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
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Interoperation with PyTorch through files made by core/src/test/python/safetensors_fixtures.py
 * (see there for how to regenerate and check them).
 */
class SafeTensorsInteropTest {

    /** The fixture architecture: PyTorch's Sequential(Linear(4, 8), BatchNorm1d(8), ReLU(), Linear(8, 3)). */
    static Sequential model(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new Sequential(new Linear(4, 8, true, Init.fanInUniform(), DType.FLOAT32, rng),
                new BatchNorm1d(8, DType.FLOAT32), Activation.relu(),
                new Linear(8, 3, true, Init.fanInUniform(), DType.FLOAT32, rng));
    }

    static Path resource(String name) throws IOException {
        Path p = Files.createTempFile("fixture", ".safetensors");
        try (InputStream in = SafeTensorsInteropTest.class.getResourceAsStream(name)) {
            Files.write(p, in.readAllBytes());
        }
        p.toFile().deleteOnExit();
        return p;
    }

    @Test
    void aPyTorchStateDictLoadsStrictlyAndReproducesPyTorchsOutput() throws IOException {
        Sequential m = model(1);
        assertTrue(m.loadStateDict(SafeTensors.loadTensors(resource("torch_model.safetensors")), true).isExact());
        assertEquals(1, m.stateDict().get("1.num_batches_tracked").item());
        Map<String, NdArray> io = SafeTensors.loadTensors(resource("torch_io.safetensors"));
        float[] y = m.forward(Tensor.of(io.get("input")), Mode.EVAL).value().toFloatArray();
        float[] expected = io.get("output").toFloatArray();
        for (int i = 0; i < y.length; i++) {
            assertEquals(expected[i], y[i], 1e-5, "output " + i);
        }
    }

    @Test
    void everyPyTorchDtypeReadsExactly() throws IOException {
        Map<String, NdArray> t = SafeTensors.loadTensors(resource("torch_io.safetensors"));
        assertArrayEquals(new double[] {1 / 3.0, -2.5}, t.get("dtypes.f64").toDoubleArray());
        assertArrayEquals(new float[] {1.5f, -0.099975586f, 65504f}, t.get("dtypes.f16").toFloatArray());
        assertArrayEquals(new float[] {3.140625f, Float.intBitsToFloat(Float.floatToRawIntBits(-1e20f) & 0xffff0000)},
                t.get("dtypes.bf16").toFloatArray());
        assertArrayEquals(new double[] {-0x1p53, 7}, t.get("dtypes.i64").toDoubleArray());
        assertArrayEquals(new double[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, t.get("dtypes.i32").toDoubleArray());
        assertArrayEquals(new float[] {0, 255}, t.get("dtypes.u8").toFloatArray());
        assertArrayEquals(new float[] {1, 0}, t.get("dtypes.bool").toFloatArray());
    }

    /**
     * Writes the Descent side of the fixture to target/, where the Python script checks that
     * PyTorch loads it strictly and reproduces Descent's output; the bytes must equal the copy
     * committed after the last such check, so a change to the writer cannot go unchecked.
     */
    @Test
    void descentWritesTheFileThatPyTorchWasCheckedAgainst() throws IOException {
        Sequential m = model(7);
        m.forward(Tensor.randn(new SplittableRandom(8), DType.FLOAT32, 16, 4), Mode.train(null)); // move BN statistics
        Tensor x = Tensor.randn(new SplittableRandom(9), DType.FLOAT32, 5, 4);
        Map<String, NdArray> io = new LinkedHashMap<>();
        io.put("input", x.value());
        io.put("output", m.forward(x, Mode.EVAL).value());
        Path state = Path.of("target", "descent_model.safetensors");
        SafeTensors.save(state, m.stateDict());
        SafeTensors.save(Path.of("target", "descent_io.safetensors"), io);
        assertArrayEquals(Files.readAllBytes(resource("descent_model.safetensors")), Files.readAllBytes(state),
                "Descent's safetensors bytes changed: check them with the Python script, then commit the new file");
    }
}
