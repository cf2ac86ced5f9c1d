package descent.init;

import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * The initialization schemes of the notes, each named by its formula. m = fan_in and n = fan_out
 * of a weight [out, in, ...] ({@link Fans}); "variance c/n" divides by the fan a {@link FanMode} picks.
 *
 * <p>Aliases and the convention each follows:
 * <ul>
 *   <li>Xavier = Glorot (Glorot &amp; Bengio, 2010): variance 2/(m+n), i.e. c = 1 over the average fan.
 *       The notes print the uniform limit as √6/(m+n); the paper's limit, used here, is √6/√(m+n).
 *   <li>Kaiming = He (He et al., 2015): variance g²/fan, g the nonlinearity's {@link Gain}.
 *   <li>LeCun normal: variance 1/m everywhere (Keras truncates the normal; Descent does not).
 *   <li>"LeCun uniform" means three things: Keras's {@code lecun_uniform} is U(±√(3/m)), variance
 *       1/m, which is {@link #lecunUniform()}; DL4J's {@code LECUN_UNIFORM} is U(±3/√m), variance
 *       3/m, which is {@code uniformVariance(3, FAN_IN)}; and the notes' (and LeCun 1998's) heuristic
 *       U(±1/√m), variance 1/(3m), is {@link #fanInUniform()}, also PyTorch's default for Linear.
 * </ul>
 */
public final class Init {

    private Init() {}

    /** An initializer with its formula as its name. */
    private record Scheme(String formula, Initializer sampler) implements Initializer {
        @Override
        public NdArray sample(DType dtype, RandomGenerator rng, int... shape) {
            return sampler.sample(dtype, rng, shape);
        }

        @Override
        public String toString() {
            return formula;
        }
    }

    // ---------------------------------------------------------------- constants

    /** Every weight equal to c: units stay identical forever (the symmetry problem of the notes). */
    public static Initializer constant(double c) {
        return new Scheme("constant(" + c + ")", (dtype, rng, shape) -> NdArray.full(dtype, c, shape));
    }

    public static Initializer zeros() {
        return constant(0);
    }

    public static Initializer ones() {
        return constant(1);
    }

    // ---------------------------------------------------------------- plain distributions

    /** N(mean, std²). */
    public static Initializer normal(double mean, double std) {
        requireNonNegative("normal", std);
        return new Scheme("N(" + mean + ", " + std + "^2)", (dtype, rng, shape) -> gaussian(dtype, rng, mean, std, shape));
    }

    /** U(lo, hi). */
    public static Initializer uniform(double lo, double hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("uniform: lower bound " + lo + " exceeds upper bound " + hi);
        }
        return new Scheme("U(" + lo + ", " + hi + ")", (dtype, rng, shape) -> uniformArray(dtype, rng, lo, hi, shape));
    }

    // ---------------------------------------------------------------- variance c / fan

    /** N(0, c/n): c = 1 over fan_in is LeCun normal, c = 2 is Kaiming normal for ReLU, c = 1 over fan_avg is Xavier. */
    public static Initializer normalVariance(double c, FanMode mode) {
        requireNonNegative("normalVariance", c);
        return new Scheme("N(0, " + c + "/" + mode.label() + ")", (dtype, rng, shape) ->
                gaussian(dtype, rng, 0, Math.sqrt(c / mode.of(Fans.of("normalVariance", shape))), shape));
    }

    /** U(−√(3c/n), √(3c/n)), which has variance c/n. */
    public static Initializer uniformVariance(double c, FanMode mode) {
        requireNonNegative("uniformVariance", c);
        return new Scheme("U(+-sqrt(3*" + c + "/" + mode.label() + "))", (dtype, rng, shape) -> {
            double limit = Math.sqrt(3 * c / mode.of(Fans.of("uniformVariance", shape)));
            return uniformArray(dtype, rng, -limit, limit, shape);
        });
    }

    /** U(−1/√m, 1/√m): the notes' first heuristic and PyTorch's default for Linear weights. */
    public static Initializer fanInUniform() {
        return new Scheme("U(+-1/sqrt(fan_in))", (dtype, rng, shape) -> {
            double limit = 1 / Math.sqrt(Fans.of("fanInUniform", shape).in());
            return uniformArray(dtype, rng, -limit, limit, shape);
        });
    }

    // ---------------------------------------------------------------- named schemes

    /** Xavier/Glorot normal: N(0, g²·2/(m+n)). */
    public static Initializer xavierNormal(double gain) {
        return new Scheme("xavier_normal: N(0, " + gain + "^2*2/(fan_in+fan_out))", (dtype, rng, shape) -> {
            Fans f = Fans.of("xavierNormal", shape);
            return gaussian(dtype, rng, 0, gain * Math.sqrt(2.0 / (f.in() + f.out())), shape);
        });
    }

    public static Initializer xavierNormal() {
        return xavierNormal(1);
    }

    /** Xavier/Glorot uniform: U(±g·√6/√(m+n)), variance g²·2/(m+n). */
    public static Initializer xavierUniform(double gain) {
        return new Scheme("xavier_uniform: U(+-" + gain + "*sqrt(6/(fan_in+fan_out)))", (dtype, rng, shape) -> {
            Fans f = Fans.of("xavierUniform", shape);
            double limit = gain * Math.sqrt(6.0 / (f.in() + f.out()));
            return uniformArray(dtype, rng, -limit, limit, shape);
        });
    }

    public static Initializer xavierUniform() {
        return xavierUniform(1);
    }

    /** Kaiming/He normal: N(0, g²/fan); with g = √2 and fan_in, variance 2/m. */
    public static Initializer kaimingNormal(FanMode mode, double gain) {
        return new Scheme("kaiming_normal: N(0, " + gain + "^2/" + mode.label() + ")", (dtype, rng, shape) ->
                gaussian(dtype, rng, 0, gain / Math.sqrt(mode.of(Fans.of("kaimingNormal", shape))), shape));
    }

    /** Kaiming normal for ReLU over fan_in: N(0, 2/m). */
    public static Initializer kaimingNormal() {
        return kaimingNormal(FanMode.FAN_IN, Gain.RELU);
    }

    /** Kaiming/He uniform: U(±g·√(3/fan)), variance g²/fan. */
    public static Initializer kaimingUniform(FanMode mode, double gain) {
        return new Scheme("kaiming_uniform: U(+-" + gain + "*sqrt(3/" + mode.label() + "))", (dtype, rng, shape) -> {
            double limit = gain * Math.sqrt(3 / mode.of(Fans.of("kaimingUniform", shape)));
            return uniformArray(dtype, rng, -limit, limit, shape);
        });
    }

    public static Initializer kaimingUniform() {
        return kaimingUniform(FanMode.FAN_IN, Gain.RELU);
    }

    /** LeCun normal: N(0, 1/m). */
    public static Initializer lecunNormal() {
        return normalVariance(1, FanMode.FAN_IN);
    }

    /** LeCun uniform in Keras's convention: U(±√(3/m)), variance 1/m (see the class comment). */
    public static Initializer lecunUniform() {
        return uniformVariance(1, FanMode.FAN_IN);
    }

    /**
     * Sparse initialization (Martens, 2010): each unit (row) has exactly k non-zero incoming
     * weights, at positions drawn without replacement, with values from N(0, std²); the rest are
     * zero. The input each unit receives is then independent of the fan-in.
     */
    public static Initializer sparse(int k, double std) {
        if (k < 0) {
            throw new IllegalArgumentException("sparse: k must be >= 0, got " + k);
        }
        requireNonNegative("sparse", std);
        return new Scheme("sparse(k=" + k + ", N(0, " + std + "^2))", (dtype, rng, shape) -> {
            int fanIn = Fans.of("sparse", shape).in();
            if (k > fanIn) {
                throw new ShapeException("sparse: k = " + k + " non-zero weights per unit exceed fan_in " + fanIn
                        + " of shape " + Shapes.str(shape));
            }
            int rows = shape[0];
            double[] w = new double[rows * fanIn];
            int[] positions = new int[fanIn];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < fanIn; i++) {
                    positions[i] = i;
                }
                for (int i = 0; i < k; i++) { // partial Fisher-Yates: the first k positions are a uniform sample
                    int j = i + rng.nextInt(fanIn - i);
                    int t = positions[i];
                    positions[i] = positions[j];
                    positions[j] = t;
                    w[r * fanIn + positions[i]] = std * rng.nextGaussian();
                }
            }
            return NdArray.of(dtype, w, shape);
        });
    }

    /** Sparse initialization with unit-Gaussian weights, as in Martens (2010), who used k = 15. */
    public static Initializer sparse(int k) {
        return sparse(k, 1);
    }

    /**
     * A (semi-)orthogonal matrix times g (Saxe et al., 2014): the rows, or the columns if there are
     * fewer of them, are orthonormal. Made from a Gaussian matrix by QR with R's diagonal positive.
     */
    public static Initializer orthogonal(double gain) {
        return new Scheme("orthogonal(gain=" + gain + ")", (dtype, rng, shape) -> {
            Fans f = Fans.of("orthogonal", shape);
            int rows = shape[0];
            int cols = f.in();
            double[] q = Orthogonal.sample(rng, rows, cols);
            for (int i = 0; i < q.length; i++) {
                q[i] *= gain;
            }
            return NdArray.of(dtype, q, shape);
        });
    }

    public static Initializer orthogonal() {
        return orthogonal(1);
    }

    // ---------------------------------------------------------------- by name

    /**
     * An initializer from its command-line name: {@code zeros}, {@code ones}, {@code constant:C},
     * {@code normal:C[:fan_in|fan_out|fan_avg]} (variance C/n), {@code normal-std:S} (N(0, S²) whatever
     * the layer's size), {@code uniform:C[:fan]} (variance C/n),
     * {@code fan-in-uniform}, {@code xavier-normal}, {@code xavier-uniform} (also {@code glorot-*}),
     * {@code kaiming-normal}, {@code kaiming-uniform} (also {@code he-*}), {@code lecun-normal},
     * {@code lecun-uniform} (Keras's), {@code sparse:K}, {@code orthogonal}. Kaiming and orthogonal
     * use {@code gain}, the gain of the activation that follows the layer.
     */
    public static Initializer parse(String spec, double gain) {
        String[] p = spec.trim().toLowerCase(Locale.ROOT).split(":");
        try {
            return switch (p.length == 0 ? "" : p[0]) { // ":" splits into nothing
                case "zeros" -> zeros();
                case "ones" -> ones();
                case "constant" -> constant(Double.parseDouble(arg(p, 1, spec)));
                case "normal" -> normalVariance(Double.parseDouble(arg(p, 1, spec)), fan(p));
                case "normal-std" -> normal(0, Double.parseDouble(arg(p, 1, spec)));
                case "uniform" -> uniformVariance(Double.parseDouble(arg(p, 1, spec)), fan(p));
                case "fan-in-uniform" -> fanInUniform();
                case "xavier-normal", "glorot-normal" -> xavierNormal();
                case "xavier-uniform", "glorot-uniform" -> xavierUniform();
                case "kaiming-normal", "he-normal" -> kaimingNormal(FanMode.FAN_IN, gain);
                case "kaiming-uniform", "he-uniform" -> kaimingUniform(FanMode.FAN_IN, gain);
                case "lecun-normal" -> lecunNormal();
                case "lecun-uniform" -> lecunUniform();
                case "sparse" -> sparse(Integer.parseInt(arg(p, 1, spec)));
                case "orthogonal" -> orthogonal(gain);
                default -> throw new IllegalArgumentException("unknown initializer '" + spec + "' (expected zeros, ones, "
                        + "constant:C, normal:C[:fan], normal-std:S, uniform:C[:fan], fan-in-uniform, xavier-normal, xavier-uniform, "
                        + "kaiming-normal, kaiming-uniform, lecun-normal, lecun-uniform, sparse:K or orthogonal)");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("initializer '" + spec + "': " + e.getMessage(), e);
        }
    }

    private static String arg(String[] parts, int i, String spec) {
        if (parts.length <= i) {
            throw new IllegalArgumentException("initializer '" + spec + "' needs a value, e.g. " + parts[0] + ":2");
        }
        return parts[i];
    }

    private static FanMode fan(String[] parts) {
        return parts.length > 2 ? FanMode.parse(parts[2]) : FanMode.FAN_IN;
    }

    // ---------------------------------------------------------------- sampling

    private static void requireNonNegative(String scheme, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(scheme + ": scale must be finite and >= 0, got " + v);
        }
    }

    private static NdArray gaussian(DType dtype, RandomGenerator rng, double mean, double std, int[] shape) {
        double[] v = new double[Shapes.size(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = mean + std * rng.nextGaussian();
        }
        return NdArray.of(dtype, v, shape);
    }

    private static NdArray uniformArray(DType dtype, RandomGenerator rng, double lo, double hi, int[] shape) {
        double[] v = new double[Shapes.size(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * rng.nextDouble();
        }
        return NdArray.of(dtype, v, shape);
    }
}
