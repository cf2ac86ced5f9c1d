package descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import descent.problems.TestFunction;
import descent.problems.Trajectory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * Descent's optimizers against PyTorch's, step by step: 100 float64 steps from the trajectories
 * that core/src/test/python/optimizer_golden.py recorded with torch.optim.
 */
class GoldenTrajectoryTest {

    record Case(String id, String optimizer, String function, double[] start, Map<String, String> hyper) {
        @Override
        public String toString() {
            return id + " " + hyper;
        }
    }

    static List<String> lines(String resource) throws IOException {
        try (InputStream in = GoldenTrajectoryTest.class.getResourceAsStream("golden/" + resource);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().skip(1).toList();
        }
    }

    static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        for (String line : lines("index.csv")) {
            String[] c = line.split(",", -1);
            Map<String, String> hyper = new LinkedHashMap<>();
            for (String kv : c[5].split(";")) {
                String[] p = kv.split("=");
                hyper.put(p[0], p[1]);
            }
            out.add(new Case(c[0], c[1], c[2], new double[] {Double.parseDouble(c[3]), Double.parseDouble(c[4])}, hyper));
        }
        return out;
    }

    /**
     * The typed recipe for a torch.optim method called with these keyword arguments, the ones
     * not given taking PyTorch's defaults; a keyword this mapping does not know fails the test.
     */
    static FirstOrder recipe(String method, Map<String, String> kwargs) {
        Kwargs k = new Kwargs(method, kwargs);
        FirstOrder recipe = switch (method) {
            case "sgd" -> sgd(k.number("lr"), k.number("momentum", 0), k.number("dampening", 0),
                    k.number("weight_decay", 0), k.flag("nesterov", false));
            case "adam" -> adam(k.number("lr"), k.number("beta1", 0.9), k.number("beta2", 0.999),
                    k.number("eps", 1e-8), k.number("weight_decay", 0), k.flag("amsgrad", false));
            case "adamw" -> adamw(k.number("lr"), k.number("beta1", 0.9), k.number("beta2", 0.999),
                    k.number("eps", 1e-8), k.number("weight_decay", 0.01), k.flag("amsgrad", false));
            case "adagrad" -> adagrad(k.number("lr"), k.number("lr_decay", 0), k.number("weight_decay", 0),
                    k.number("initial_accumulator_value", 0));
            case "rmsprop" -> rmsprop(k.number("lr"), k.number("alpha", 0.99), k.flag("centered", false),
                    k.number("momentum", 0), k.number("weight_decay", 0));
            case "adadelta" -> adadelta(k.number("lr"), k.number("rho", 0.9), k.number("eps", 1e-6),
                    k.number("weight_decay", 0));
            default -> fail("no typed recipe for torch.optim method '" + method + "'");
        };
        k.requireAllRead();
        return recipe;
    }

    static Sgd sgd(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        return Optimizers.sgd(lr).withMomentum(momentum).withDampening(dampening).withWeightDecay(weightDecay)
                .withNesterov(nesterov);
    }

    static Adam adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        return Optimizers.adam(lr).withBetas(beta1, beta2).withEps(eps).withWeightDecay(weightDecay)
                .withAmsgrad(amsgrad);
    }

    static Adam adamw(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        return Optimizers.adamw(lr, weightDecay).withBetas(beta1, beta2).withEps(eps).withAmsgrad(amsgrad);
    }

    static Adagrad adagrad(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue) {
        return Optimizers.adagrad(lr, lrDecay).withWeightDecay(weightDecay)
                .withInitialAccumulator(initialAccumulatorValue);
    }

    static RmsProp rmsprop(double lr, double alpha, boolean centered, double momentum, double weightDecay) {
        return Optimizers.rmsprop(lr).withAlpha(alpha).withCentered(centered).withMomentum(momentum)
                .withWeightDecay(weightDecay);
    }

    static Adadelta adadelta(double lr, double rho, double eps, double weightDecay) {
        return Optimizers.adadelta(lr).withRho(rho).withEps(eps).withWeightDecay(weightDecay);
    }

    /** A row's keyword arguments, each read at most once; any left unread fails the test. */
    static final class Kwargs {
        private final String method;
        private final Map<String, String> unread;

        Kwargs(String method, Map<String, String> kwargs) {
            this.method = method;
            this.unread = new LinkedHashMap<>(kwargs);
        }

        double number(String key) {
            String v = unread.remove(key);
            return v == null ? fail(method + " needs " + key) : Double.parseDouble(v);
        }

        double number(String key, double torchDefault) {
            String v = unread.remove(key);
            return v == null ? torchDefault : Double.parseDouble(v);
        }

        boolean flag(String key, boolean torchDefault) {
            String v = unread.remove(key);
            return switch (v) {
                case null -> torchDefault;
                case "true" -> true;
                case "false" -> false;
                default -> fail(method + ": " + key + " must be true or false, got " + v);
            };
        }

        void requireAllRead() {
            if (!unread.isEmpty()) {
                fail(method + ": no mapping for " + unread.keySet());
            }
        }
    }

    @Test
    void anUnknownKeywordFailsTheMapping() {
        assertThrows(AssertionFailedError.class, () -> recipe("adam", Map.of("lr", "0.1", "rho", "0.9")));
        assertThrows(AssertionFailedError.class, () -> recipe("adamax", Map.of("lr", "0.1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchFor100Steps(Case c) throws IOException {
        TestFunction fn = TestFunction.byName(c.function(), 10, null, null);
        FirstOrder recipe = recipe(c.optimizer(), c.hyper());
        List<Trajectory.Point> ours = Trajectory.run(fn, c.start(), 100, recipe::over);
        List<String> golden = lines(c.id() + ".csv");
        assertEquals(101, golden.size());
        assertEquals(101, ours.size());
        for (int i = 0; i < golden.size(); i++) {
            String[] g = golden.get(i).split(",");
            Trajectory.Point p = ours.get(i);
            double[] expected = {Double.parseDouble(g[1]), Double.parseDouble(g[2]), Double.parseDouble(g[3])};
            double[] actual = {p.x(), p.y(), p.f()};
            for (int k = 0; k < 3; k++) {
                double tolerance = 1e-6 * Math.abs(expected[k]) + 1e-12;
                assertTrue(Math.abs(actual[k] - expected[k]) <= tolerance, c.id() + " step " + i + " component " + k
                        + ": Descent " + actual[k] + ", PyTorch " + expected[k]);
            }
        }
    }
}
