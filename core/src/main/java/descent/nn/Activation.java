package descent.nn;

import descent.autograd.Tensor;
import descent.init.Gain;
import descent.kernels.BinaryOp;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * An elementwise nonlinearity, stateless and so safe to share between layers. Each is a
 * composition of differentiable primitives, so it has gradients of every order, and carries the
 * {@link Gain} an initializer should use for the layer before it.
 */
public final class Activation extends Module {

    /** Which nonlinearity: the factory it came from (so that other programs, an exporter say, can rebuild it). */
    public enum Kind { RELU, LEAKY_RELU, SIGMOID, TANH, IDENTITY, GELU, GELU_TANH, SOFTPLUS }

    private final Kind kind;
    private final double parameter;
    private final String name;
    private final String args;
    private final double gain;
    private final UnaryOperator<Tensor> fn;

    private Activation(Kind kind, double parameter, String name, String args, double gain, UnaryOperator<Tensor> fn) {
        this.kind = kind;
        this.parameter = parameter;
        this.name = name;
        this.args = args;
        this.gain = gain;
        this.fn = fn;
    }

    /** max(x, 0). */
    public static Activation relu() {
        return new Activation(Kind.RELU, Double.NaN, "ReLU", "", Gain.RELU, Tensor::relu);
    }

    /** x for x > 0, a·x otherwise. */
    public static Activation leakyRelu(double negativeSlope) {
        return new Activation(Kind.LEAKY_RELU, negativeSlope, "LeakyReLU", "negative_slope=" + negativeSlope, Gain.leakyRelu(negativeSlope),
                x -> Tensor.where(x.value().zip(BinaryOp.GT, 0), x, x.mul(negativeSlope)));
    }

    /** 1 / (1 + e^(−x)). */
    public static Activation sigmoid() {
        return new Activation(Kind.SIGMOID, Double.NaN, "Sigmoid", "", Gain.SIGMOID, Tensor::sigmoid);
    }

    public static Activation tanh() {
        return new Activation(Kind.TANH, Double.NaN, "Tanh", "", Gain.TANH, Tensor::tanh);
    }

    public static Activation identity() {
        return new Activation(Kind.IDENTITY, Double.NaN, "Identity", "", Gain.LINEAR, x -> x);
    }

    /**
     * x·Φ(x) = x·½(1 + erf(x/√2)) (Hendrycks &amp; Gimpel, 2016), PyTorch's default GELU. Its gain is
     * taken as ReLU's, which it approaches away from zero; PyTorch defines none.
     */
    public static Activation gelu() {
        return new Activation(Kind.GELU, Double.NaN, "GELU", "", Gain.RELU, x -> x.mul(x.mul(1 / Math.sqrt(2)).erf().add(1).mul(0.5)));
    }

    /** GELU's tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
    public static Activation geluTanh() {
        double c = Math.sqrt(2 / Math.PI);
        return new Activation(Kind.GELU_TANH, Double.NaN, "GELU", "approximate=tanh", Gain.RELU,
                x -> x.mul(x.add(x.pow(3).mul(0.044715)).mul(c).tanh().add(1)).mul(0.5));
    }

    /**
     * (1/β)·log(1 + e^(βx)), computed stably ({@link Tensor#softplus()}). Gain as ReLU's, which it
     * smooths.
     */
    public static Activation softplus(double beta) {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("Softplus: beta must be positive, got " + beta);
        }
        return new Activation(Kind.SOFTPLUS, beta, "Softplus", "beta=" + beta, Gain.RELU, x -> x.mul(beta).softplus().div(beta));
    }

    public static Activation softplus() {
        return softplus(1);
    }

    /**
     * From its command-line name: relu, leaky-relu[:slope] (default 0.01), sigmoid, tanh,
     * identity (or linear), gelu, gelu-tanh, softplus[:beta].
     */
    public static Activation parse(String spec) {
        String[] p = spec.trim().toLowerCase(Locale.ROOT).split(":");
        try {
            return switch (p[0]) {
                case "relu" -> relu();
                case "leaky-relu", "leakyrelu" -> leakyRelu(p.length > 1 ? Double.parseDouble(p[1]) : 0.01);
                case "sigmoid" -> sigmoid();
                case "tanh" -> tanh();
                case "identity", "linear" -> identity();
                case "gelu" -> gelu();
                case "gelu-tanh" -> geluTanh();
                case "softplus" -> softplus(p.length > 1 ? Double.parseDouble(p[1]) : 1);
                default -> throw new IllegalArgumentException("unknown activation '" + spec
                        + "' (expected relu, leaky-relu[:slope], sigmoid, tanh, identity, gelu, gelu-tanh, softplus[:beta])");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("activation '" + spec + "': " + e.getMessage(), e);
        }
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        return fn.apply(x);
    }

    public Kind kind() {
        return kind;
    }

    /** Leaky ReLU's negative slope, softplus's β; NaN for the nonlinearities without a parameter. */
    public double parameter() {
        return parameter;
    }

    /** PyTorch's class name for it: "ReLU", "Sigmoid", "Tanh", ... */
    public String name() {
        return name;
    }

    /** The initialization gain for a layer followed by this activation. */
    public double gain() {
        return gain;
    }

    @Override
    protected String displayName() {
        return name;
    }

    @Override
    protected String extraRepr() {
        return args;
    }
}
