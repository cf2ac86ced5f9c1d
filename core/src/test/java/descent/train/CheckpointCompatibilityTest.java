package descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.data.Augmentation;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.data.Samplers;
import descent.io.SafeTensors;
import descent.nn.Classifier;
import descent.nn.Mlp;
import descent.nn.Standardize;
import descent.optim.GlobalRules;
import descent.optim.Optimizer;
import descent.optim.Optimizers;
import descent.optim.Schedules;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints written by an older Descent still resume: the files beside this test were written
 * before the optimizer redesign by MakeCheckpointV1.java.txt (see the README there).
 */
class CheckpointCompatibilityTest {

    @TempDir
    Path dir;

    /** The run MakeCheckpointV1 made, in today's API; {@code checkpoint} is where it writes. */
    static Trainer v1Run(Path checkpoint) {
        Dataset train = TrainerTest.blobs(120, 1);
        Dataset val = TrainerTest.blobs(40, 2);
        Dataset.Moments m = train.moments(false);
        Classifier model = new Classifier(new Standardize(m.mean(), m.std(), DType.FLOAT32),
                new Mlp(Mlp.Spec.of(36, 16, 3).withDropout(0.2).withBatchNorm(true), new SplitMix64(5)));
        Optimizer opt = Optimizers.adam(0.01).withSchedule(Schedules.cosine(0.01, 0, 60)).withWeightDecay(1e-3)
                .over(model.trainableParameters(), GlobalRules.clipByGlobalNorm(1.0));
        DataLoader loader = new DataLoader(train, 16, false, Samplers.shuffled(),
                Augmentation.parse("shift=1,rotation=5", new int[] {6, 6}));
        return new Trainer(Trainer.Setup.of(model, opt, loader).withValidation(val).withTest(val).withEpochs(5)
                .withSeed(42).withCallbacks(new EarlyStopping(10, 0)).withCheckpoint(checkpoint));
    }

    /** A copy of a resource beside this class, so that a run never writes over it. */
    private Path copy(String resource) throws IOException {
        Path file = dir.resolve(resource);
        try (InputStream in = CheckpointCompatibilityTest.class.getResourceAsStream(resource)) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void aVersion1CheckpointResumesToTheSameFinalModelBitForBit() throws IOException {
        Path checkpoint = copy("checkpoint-v1-epoch2.safetensors");
        Trainer t = v1Run(checkpoint);
        t.resume(checkpoint);
        assertEquals(2, t.epoch());
        assertEquals(16, t.step());
        t.fit();
        assertEquals(5, t.epoch());

        Map<String, NdArray> expected = SafeTensors.loadTensors(copy("checkpoint-v1-final-model.safetensors"));
        Map<String, NdArray> actual = t.model().stateDict();
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, e) -> {
            NdArray a = actual.get(name);
            assertEquals(e.dtype(), a.dtype(), name);
            assertArrayEquals(e.shape(), a.shape(), name);
            assertArrayEquals(bits(e), bits(a), name);
        });
    }

    private static long[] bits(NdArray a) {
        double[] v = a.toDoubleArray(); // exact for every dtype
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Double.doubleToRawLongBits(v[i]);
        }
        return out;
    }

    @Test
    void aCheckpointOfAnotherFormatIsRefusedNamingItsVersion() throws IOException {
        SafeTensors.Contents v1 = SafeTensors.load(copy("checkpoint-v1-epoch2.safetensors"));
        Map<String, String> metadata = new LinkedHashMap<>(v1.metadata());
        metadata.put("format", "descent-checkpoint-3");
        Path future = dir.resolve("checkpoint-v3.safetensors");
        SafeTensors.save(future, v1.tensors(), metadata);

        Trainer t = v1Run(null);
        IOException e = assertThrows(IOException.class, () -> t.resume(future));
        assertTrue(e.getMessage().contains("descent-checkpoint-3"), e.getMessage());
        assertTrue(e.getMessage().contains("descent-checkpoint-1"), e.getMessage());
        assertTrue(e.getMessage().contains("Resume it with the version that wrote it, or start a new run"), e.getMessage());
        assertEquals(0, t.epoch(), "nothing was restored");
        assertEquals(0, t.optimizer().steps());
    }
}
