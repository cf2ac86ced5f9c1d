package descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchFor100Steps(Case c) throws IOException {
        TestFunction fn = TestFunction.byName(c.function(), 10, null, null);
        List<Trajectory.Point> ours = Trajectory.run(fn, c.start(), 100,
                params -> Optimizers.create(c.optimizer(), new Hyperparameters(c.hyper()), params));
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
