package descent.problems;

import descent.autograd.Tensor;
import descent.optim.Closure;
import descent.optim.Continuation;
import descent.optim.Minimizer;
import descent.optim.Objective;
import descent.tensor.NdArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
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
        return run(fn, start, steps, optimizer, null);
    }

    /**
     * The same, each step on the objective of a continuation built over the parameter and the
     * function (null: the function itself); the rows record the real function's value.
     */
    public static List<Point> run(TestFunction fn, double[] start, long steps,
                                  Function<Map<String, Tensor>, Minimizer> optimizer,
                                  BiFunction<Map<String, Tensor>, Objective, Continuation> continuation) {
        Tensor theta = Tensor.param(NdArray.of(start.clone(), 2));
        Map<String, Tensor> params = Map.of("theta", theta);
        Minimizer m = optimizer.apply(params);
        Objective objective = () -> fn.apply(theta);
        Closure plain = Objective.closure(params, objective);
        Continuation series = continuation == null ? null : continuation.apply(params, objective);
        List<Point> rows = new ArrayList<>();
        rows.add(point(0, fn, theta));
        for (long s = 1; s <= steps; s++) {
            m.step(series == null ? plain : series.at(s - 1));
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
