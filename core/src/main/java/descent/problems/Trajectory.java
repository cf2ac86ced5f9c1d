package descent.problems;

import descent.autograd.Tensor;
import descent.optim.Closure;
import descent.optim.Minimizer;
import descent.optim.Objective;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Runs a minimizer on a 2-D {@link TestFunction} in float64 and records where it goes. */
public final class Trajectory {

    /** One row: after {@code step} steps (0 = the start), the point and the value there. */
    public record Point(long step, double x, double y, double f) {}

    private Trajectory() {}

    /**
     * Starts at {@code start} and takes {@code steps} steps; stops early if the point stops
     * being finite, so a diverging run ends at its last finite row plus the first non-finite one.
     */
    public static List<Point> run(TestFunction fn, double[] start, long steps,
                                  Function<Map<String, Tensor>, Minimizer> optimizer) {
        Tensor theta = Tensor.param(NdArray.of(start.clone(), 2));
        Map<String, Tensor> params = Map.of("theta", theta);
        Minimizer m = optimizer.apply(params);
        Closure closure = Objective.closure(params, () -> fn.apply(theta));
        List<Point> rows = new ArrayList<>();
        rows.add(point(0, fn, theta));
        for (long s = 1; s <= steps; s++) {
            m.step(closure);
            Point p = point(s, fn, theta);
            rows.add(p);
            if (!Double.isFinite(p.x()) || !Double.isFinite(p.y())) {
                break;
            }
        }
        return rows;
    }

    private static Point point(long step, TestFunction fn, Tensor theta) {
        double[] v = theta.value().toDoubleArray();
        return new Point(step, v[0], v[1], fn.apply(Tensor.of(theta.value())).item());
    }
}
