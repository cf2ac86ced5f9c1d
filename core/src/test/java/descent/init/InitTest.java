package descent.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Empirical moments on a 600×1000 weight (fan_in 1000, fan_out 600): 600 000 draws. */
class InitTest {

    static final int OUT = 600;
    static final int IN = 1000;

    static Stream<Arguments> variances() {
        double avg = (IN + OUT) / 2.0;
        return Stream.of(
                Arguments.of("normal 2/fan_in", Init.normalVariance(2, FanMode.FAN_IN), 2.0 / IN),
                Arguments.of("normal 1/fan_out", Init.normalVariance(1, FanMode.FAN_OUT), 1.0 / OUT),
                Arguments.of("normal 3/fan_avg", Init.normalVariance(3, FanMode.FAN_AVG), 3 / avg),
                Arguments.of("uniform 2/fan_in", Init.uniformVariance(2, FanMode.FAN_IN), 2.0 / IN),
                Arguments.of("U(+-1/sqrt(m))", Init.fanInUniform(), 1.0 / (3 * IN)),
                Arguments.of("xavier normal", Init.xavierNormal(), 2.0 / (IN + OUT)),
                Arguments.of("xavier uniform", Init.xavierUniform(), 2.0 / (IN + OUT)),
                Arguments.of("xavier uniform, tanh gain", Init.xavierUniform(Gain.TANH),
                        Gain.TANH * Gain.TANH * 2.0 / (IN + OUT)),
                Arguments.of("kaiming normal", Init.kaimingNormal(), 2.0 / IN),
                Arguments.of("kaiming normal fan_out leaky", Init.kaimingNormal(FanMode.FAN_OUT, Gain.leakyRelu(0.2)),
                        2 / (1 + 0.04) / OUT),
                Arguments.of("kaiming uniform", Init.kaimingUniform(), 2.0 / IN),
                Arguments.of("lecun normal", Init.lecunNormal(), 1.0 / IN),
                Arguments.of("lecun uniform (Keras)", Init.lecunUniform(), 1.0 / IN),
                Arguments.of("normal(0.5, 0.1)", Init.normal(0.5, 0.1), 0.01),
                Arguments.of("parsed normal-std:0.05, a standard deviation", Init.parse("normal-std:0.05", 1), 0.0025),
                Arguments.of("parsed normal:2, a variance factor over fan_in", Init.parse("normal:2", 1), 2.0 / IN),
                Arguments.of("orthogonal", Init.orthogonal(), 1.0 / IN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variances")
    void empiricalVarianceMatchesTheFormula(String name, Initializer init, double variance) {
        double[] w = init.sample(DType.FLOAT64, new SplittableRandom(1), OUT, IN).toDoubleArray();
        double mean = 0;
        for (double v : w) {
            mean += v;
        }
        mean /= w.length;
        double var = 0;
        for (double v : w) {
            var += (v - mean) * (v - mean);
        }
        var /= w.length - 1;
        double expectedMean = name.startsWith("normal(0.5") ? 0.5 : 0;
        // Standard error of the mean is sqrt(var/N) ≈ 0.0013·sd; of the variance about 0.2 % (normal) here.
        assertEquals(expectedMean, mean, 6 * Math.sqrt(variance / w.length), name + " mean");
        assertEquals(variance, var, 0.01 * variance, name + " variance");
    }

    @Test
    void uniformSchemesStayInsideTheirLimits() {
        double limit = Math.sqrt(6.0 / (IN + OUT));
        double[] w = Init.xavierUniform().sample(DType.FLOAT64, new SplittableRandom(2), OUT, IN).toDoubleArray();
        double max = 0;
        for (double v : w) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max <= limit && max > 0.999 * limit, "max |w| " + max + " vs limit " + limit);
    }

    @Test
    void constantInitializationMakesEveryUnitIdentical() {
        NdArray w = Init.constant(0.3).sample(DType.FLOAT32, new SplittableRandom(3), 4, 5);
        for (double v : w.toDoubleArray()) {
            assertEquals(0.3f, v);
        }
        assertEquals(0, Init.zeros().sample(DType.FLOAT64, null, 3).get(2));
        assertEquals(1, Init.ones().sample(DType.FLOAT64, null, 3).get(0));
    }

    @Test
    void sparseInitializationHasExactlyKNonZerosPerUnit() {
        int k = 15;
        double[] w = Init.sparse(k).sample(DType.FLOAT64, new SplittableRandom(4), OUT, IN).toDoubleArray();
        double sumSquares = 0;
        for (int r = 0; r < OUT; r++) {
            int nonZero = 0;
            for (int c = 0; c < IN; c++) {
                double v = w[r * IN + c];
                if (v != 0) {
                    nonZero++;
                    sumSquares += v * v;
                }
            }
            assertEquals(k, nonZero, "unit " + r);
        }
        assertEquals(1, sumSquares / (OUT * k), 0.05, "non-zero weights are unit Gaussian");
        // Positions are spread over all inputs, not clustered at the start.
        int[] hits = new int[IN];
        for (int i = 0; i < w.length; i++) {
            if (w[i] != 0) {
                hits[i % IN]++;
            }
        }
        int used = 0;
        for (int h : hits) {
            used += h > 0 ? 1 : 0;
        }
        assertTrue(used > 0.99 * IN, used + " of " + IN + " inputs used");
        assertThrows(ShapeException.class, () -> Init.sparse(11).sample(DType.FLOAT64, new SplittableRandom(1), 3, 10));
    }

    @Test
    void orthogonalHasOrthonormalRowsOrColumns() {
        for (int[] shape : new int[][] {{5, 9}, {9, 5}, {7, 7}, {4, 2, 3}}) {
            NdArray w = Init.orthogonal(2).sample(DType.FLOAT64, new SplittableRandom(5), shape);
            NdArray m = w.reshape(shape[0], -1);
            boolean wide = m.dim(0) <= m.dim(1);
            NdArray gram = wide ? m.matmul(m.transpose(0, 1)) : m.transpose(0, 1).matmul(m);
            int n = gram.dim(0);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(i == j ? 4 : 0, gram.get(i, j), 1e-12, "gram of shape " + java.util.Arrays.toString(shape));
                }
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameBits() {
        Supplier<SplittableRandom> seed = () -> new SplittableRandom(42);
        for (Initializer init : new Initializer[] {Init.kaimingNormal(), Init.xavierUniform(), Init.sparse(3),
                Init.orthogonal()}) {
            assertArrayEquals(init.sample(DType.FLOAT32, seed.get(), 8, 6).toFloatArray(),
                    init.sample(DType.FLOAT32, seed.get(), 8, 6).toFloatArray(), init.toString());
        }
    }

    @Test
    void fansFollowPyTorchsLayout() {
        assertEquals(new Fans(3 * 5 * 5, 16 * 5 * 5), Fans.of("t", new int[] {16, 3, 5, 5}));
        assertThrows(ShapeException.class, () -> Init.kaimingNormal().sample(DType.FLOAT32, new SplittableRandom(1), 10));
    }

    @Test
    void parsesCommandLineNames() {
        assertEquals("kaiming_normal: N(0, 1.0^2/fan_in)", Init.parse("he-normal", 1).toString());
        assertEquals("N(0, 2.0/fan_out)", Init.parse("normal:2:fan_out", 1).toString());
        assertEquals("sparse(k=15, N(0, 1.0^2))", Init.parse("sparse:15", 1).toString());
        assertEquals("U(+-sqrt(3*1.0/fan_in))", Init.parse("lecun-uniform", 1).toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.parse("glorot", 1));
        assertTrue(e.getMessage().contains("xavier-normal"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Init.parse("normal", 1));
        assertThrows(IllegalArgumentException.class, () -> Init.parse("normal:x", 1));
    }
}
