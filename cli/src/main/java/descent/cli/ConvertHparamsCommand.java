package descent.cli;

import descent.optim.Conventions;
import descent.optim.Conventions.Converted;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Prints a method's hyper-parameters in another framework's convention ({@link Conventions}),
 * with "exact" or "approximate: why".
 */
@Command(name = "convert-hparams", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Give a method's hyper-parameters in one convention, get the equivalent in another, in the "
                + "target's own names, and whether the two then take the same steps (constant learning rate).",
            "Names not given take the source's default; those without one are required.",
            "momentum",
            "  pytorch        lr=0.001 momentum dampening=0",
            "  keras          learning_rate=0.01 momentum",
            "  ema            lr momentum (the notes': u ← βu + (1 − β)g, θ ← θ − lr·u)",
            "nesterov",
            "  pytorch        lr=0.001 momentum",
            "  keras          learning_rate=0.01 momentum",
            "  lookahead      lr momentum (the notes': the gradient at θ − lr·momentum·u)",
            "  lookahead-ema  lr momentum (the same with u ← βu + (1 − β)g)",
            "rmsprop",
            "  pytorch        lr=0.01 alpha=0.99 eps=1e-08 momentum=0",
            "  keras          learning_rate=0.001 rho=0.9 epsilon=1e-07 momentum=0",
            "adam",
            "  pytorch        lr=0.001 beta1=0.9 beta2=0.999 eps=1e-08",
            "  keras          learning_rate=0.001 beta_1=0.9 beta_2=0.999 epsilon=1e-07",
            "batchnorm",
            "  pytorch        momentum=0.1 eps=1e-05",
            "  keras          momentum=0.99 epsilon=0.001",
            "  notes          momentum=0.1 eps=1e-05 (from the first batch, biased variance)",
            "Example: ./descent convert-hparams momentum --from pytorch --to ema lr=0.1 momentum=0.9"})
final class ConvertHparamsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "METHOD", description = "momentum, nesterov, rmsprop, adam or batchnorm.")
    String method;

    @Parameters(index = "1..*", paramLabel = "NAME=VALUE", description = "Hyper-parameters in the --from convention's names.")
    List<String> given = new ArrayList<>();

    @Option(names = "--from", required = true, paramLabel = "CONVENTION", description = "The convention they are written in.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "CONVENTION", description = "The convention to write them in.")
    String to;

    /** One convention of a method: its names and defaults (NaN: required), how to build it and read it back. */
    private record Convention(List<String> names, double[] defaults, Function<double[], Object> make,
                              Function<Object, double[]> values) {}

    private record Method(Map<String, Convention> conventions, BiFunction<Object, String, Converted<?>> convert) {}

    private static final double REQUIRED = Double.NaN;

    private static Convention convention(String names, double[] defaults, Function<double[], Object> make,
                                         Function<Object, double[]> values) {
        return new Convention(List.of(names.split(" ")), defaults, make, values);
    }

    private static final Map<String, Method> METHODS = new LinkedHashMap<>();

    static {
        Map<String, Convention> momentum = new LinkedHashMap<>();
        momentum.put("pytorch", convention("lr momentum dampening", new double[] {1e-3, REQUIRED, 0},
                v -> new Conventions.TorchMomentum(v[0], v[1], v[2]),
                o -> o instanceof Conventions.TorchMomentum t ? new double[] {t.lr(), t.momentum(), t.dampening()} : null));
        momentum.put("keras", convention("learning_rate momentum", new double[] {0.01, REQUIRED},
                v -> new Conventions.KerasMomentum(v[0], v[1]),
                o -> o instanceof Conventions.KerasMomentum k ? new double[] {k.learningRate(), k.momentum()} : null));
        momentum.put("ema", convention("lr momentum", new double[] {REQUIRED, REQUIRED},
                v -> new Conventions.EmaMomentum(v[0], v[1]),
                o -> o instanceof Conventions.EmaMomentum e ? new double[] {e.lr(), e.momentum()} : null));
        METHODS.put("momentum", new Method(momentum, (o, to) -> {
            Conventions.MomentumForm m = (Conventions.MomentumForm) o;
            return switch (to) {
                case "pytorch" -> Conventions.toTorch(m);
                case "keras" -> Conventions.toKeras(m);
                default -> Conventions.toEma(m);
            };
        }));

        Map<String, Convention> nesterov = new LinkedHashMap<>();
        nesterov.put("pytorch", convention("lr momentum", new double[] {1e-3, REQUIRED},
                v -> new Conventions.TorchNesterov(v[0], v[1]),
                o -> o instanceof Conventions.TorchNesterov t ? new double[] {t.lr(), t.momentum()} : null));
        nesterov.put("keras", convention("learning_rate momentum", new double[] {0.01, REQUIRED},
                v -> new Conventions.KerasNesterov(v[0], v[1]),
                o -> o instanceof Conventions.KerasNesterov k ? new double[] {k.learningRate(), k.momentum()} : null));
        for (boolean ema : new boolean[] {false, true}) {
            nesterov.put(ema ? "lookahead-ema" : "lookahead", convention("lr momentum", new double[] {REQUIRED, REQUIRED},
                    v -> new Conventions.LookaheadForm(v[0], v[1], ema),
                    o -> o instanceof Conventions.LookaheadForm l ? new double[] {l.lr(), l.momentum()} : null));
        }
        METHODS.put("nesterov", new Method(nesterov, (o, to) -> {
            Conventions.NesterovForm n = (Conventions.NesterovForm) o;
            return switch (to) {
                case "pytorch" -> Conventions.toTorch(n);
                case "keras" -> Conventions.toKeras(n);
                default -> Conventions.toLookahead(n, to.equals("lookahead-ema"));
            };
        }));

        Map<String, Convention> rmsprop = new LinkedHashMap<>();
        rmsprop.put("pytorch", convention("lr alpha eps momentum", new double[] {0.01, 0.99, 1e-8, 0},
                v -> new Conventions.TorchRmsProp(v[0], v[1], v[2], v[3]),
                o -> o instanceof Conventions.TorchRmsProp t ? new double[] {t.lr(), t.alpha(), t.eps(), t.momentum()} : null));
        rmsprop.put("keras", convention("learning_rate rho epsilon momentum", new double[] {1e-3, 0.9, 1e-7, 0},
                v -> new Conventions.KerasRmsProp(v[0], v[1], v[2], v[3]),
                o -> o instanceof Conventions.KerasRmsProp k
                        ? new double[] {k.learningRate(), k.rho(), k.epsilon(), k.momentum()} : null));
        METHODS.put("rmsprop", new Method(rmsprop, (o, to) -> to.equals("pytorch")
                ? Conventions.toTorch((Conventions.RmsPropForm) o) : Conventions.toKeras((Conventions.RmsPropForm) o)));

        Map<String, Convention> adam = new LinkedHashMap<>();
        adam.put("pytorch", convention("lr beta1 beta2 eps", new double[] {1e-3, 0.9, 0.999, 1e-8},
                v -> new Conventions.TorchAdam(v[0], v[1], v[2], v[3]),
                o -> o instanceof Conventions.TorchAdam t ? new double[] {t.lr(), t.beta1(), t.beta2(), t.eps()} : null));
        adam.put("keras", convention("learning_rate beta_1 beta_2 epsilon", new double[] {1e-3, 0.9, 0.999, 1e-7},
                v -> new Conventions.KerasAdam(v[0], v[1], v[2], v[3]),
                o -> o instanceof Conventions.KerasAdam k
                        ? new double[] {k.learningRate(), k.beta1(), k.beta2(), k.epsilon()} : null));
        METHODS.put("adam", new Method(adam, (o, to) -> to.equals("pytorch")
                ? Conventions.toTorch((Conventions.AdamForm) o) : Conventions.toKeras((Conventions.AdamForm) o)));

        Map<String, Convention> batchnorm = new LinkedHashMap<>();
        batchnorm.put("pytorch", convention("momentum eps", new double[] {0.1, 1e-5},
                v -> new Conventions.TorchBatchNorm(v[0], v[1]),
                o -> o instanceof Conventions.TorchBatchNorm t ? new double[] {t.momentum(), t.eps()} : null));
        batchnorm.put("keras", convention("momentum epsilon", new double[] {0.99, 1e-3},
                v -> new Conventions.KerasBatchNorm(v[0], v[1]),
                o -> o instanceof Conventions.KerasBatchNorm k ? new double[] {k.momentum(), k.epsilon()} : null));
        batchnorm.put("notes", convention("momentum eps", new double[] {0.1, 1e-5},
                v -> new Conventions.NotesBatchNorm(v[0], v[1]),
                o -> o instanceof Conventions.NotesBatchNorm n ? new double[] {n.momentum(), n.eps()} : null));
        METHODS.put("batchnorm", new Method(batchnorm, (o, to) -> {
            Conventions.BatchNormForm b = (Conventions.BatchNormForm) o;
            return switch (to) {
                case "pytorch" -> Conventions.toTorch(b);
                case "keras" -> Conventions.toKeras(b);
                default -> Conventions.toNotes(b);
            };
        }));
    }

    @Override
    public Integer call() {
        Method m = METHODS.get(method.toLowerCase(Locale.ROOT));
        if (m == null) {
            throw new IllegalArgumentException("unknown method " + method + ": use one of "
                    + String.join(", ", METHODS.keySet()));
        }
        Convention source = convention(m, from, "--from");
        Convention target = convention(m, to, "--to");
        double[] values = source.defaults().clone();
        boolean[] seen = new boolean[values.length];
        for (String kv : given) {
            String[] e = kv.split("=", 2);
            int i = source.names().indexOf(e[0]);
            if (e.length != 2 || i < 0) {
                throw new IllegalArgumentException((e.length != 2 ? "expected NAME=VALUE, got '" + kv + "'"
                        : "'" + e[0] + "' is not a hyper-parameter of " + from + " " + method) + ": " + from + " "
                        + method + " takes " + String.join(", ", source.names()));
            }
            if (seen[i]) {
                throw new IllegalArgumentException(e[0] + " is given twice");
            }
            seen[i] = true;
            try {
                values[i] = Double.parseDouble(e[1]);
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(e[0] + " must be a number, got '" + e[1] + "'");
            }
        }
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                throw new IllegalArgumentException(from + " " + method + " needs " + source.names().get(i)
                        + " (it has no default)");
            }
        }
        Converted<?> c = m.convert().apply(source.make().apply(values), to);
        double[] out = target.values().apply(c.value());
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < out.length; i++) {
            line.append(i > 0 ? " " : "").append(target.names().get(i)).append('=').append(format(out[i]));
        }
        System.out.println(line);
        System.out.println(c.exact() ? (c.note().isEmpty() ? "exact" : "exact " + c.note())
                : "approximate: " + c.note());
        return 0;
    }

    private Convention convention(Method m, String name, String option) {
        Convention c = m.conventions().get(name);
        if (c == null) {
            throw new IllegalArgumentException(option + " " + name + " is not a convention of " + method + ": use one of "
                    + String.join(", ", m.conventions().keySet()));
        }
        return c;
    }

    /** Twelve significant digits, so 0.1/(1 − 0.9) prints as 1, not 1.0000000000000002. */
    static String format(double v) {
        return new BigDecimal(v).round(new MathContext(12)).stripTrailingZeros().toString().replace('E', 'e');
    }
}
