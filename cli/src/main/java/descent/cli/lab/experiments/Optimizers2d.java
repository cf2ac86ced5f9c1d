package descent.cli.lab.experiments;

import descent.autograd.Tensor;
import descent.cli.Hyperparameters;
import descent.cli.OptimizerNames;
import descent.cli.lab.Csv;
import descent.cli.lab.Experiment;
import descent.cli.lab.Lab;
import descent.cli.plot.ContourPlot;
import descent.problems.TestFunction;
import descent.problems.Trajectory;
import descent.tensor.NdArray;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The optimizers' paths on the notes' 2-D test functions, and how many steps each needs. */
final class Optimizers2d {

    static final Experiment EXPERIMENT = new Experiment("optimizers-2d", "Optimizers on 2-D test functions",
            "On an ill-conditioned ellipse gradient descent zig-zags across the narrow valley, since a step large "
            + "enough to make progress along it overshoots across it; momentum averages the zig-zag away. "
            + "Adaptive methods rescale each coordinate. Newton's method uses the curvature and lands on the "
            + "minimum of a quadratic in one step — and on a saddle's stationary point just as readily. Conjugate "
            + "gradients and quasi-Newton methods (BFGS, L-BFGS) build curvature from gradients and need a few "
            + "steps where first-order methods need hundreds.", Optimizers2d::run);

    /** Distance to the minimum that counts as arrived. */
    static final double TOLERANCE = 1e-4;

    /** One test function, where to start, and each optimizer's hyper-parameters there (tuned by hand to be stable). */
    private record Problem(TestFunction fn, double[] start, Map<String, String> settings) {}

    private static final List<String> OPTIMIZERS = List.of("gd", "momentum", "momentum-ema", "nesterov", "adagrad",
            "rmsprop", "adadelta", "adam", "newton", "cg", "bfgs", "lbfgs");

    private Optimizers2d() {}

    private static Problem problem(TestFunction fn, double[] start, String... settings) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            m.put(settings[i], settings[i + 1]);
        }
        return new Problem(fn, start, m);
    }

    private static List<Problem> problems() {
        return List.of(
                problem(TestFunction.ellipse(10), new double[] {2, 1}, "gd", "lr=0.15", "momentum", "lr=0.05;momentum=0.9",
                        "momentum-ema", "lr=0.5;momentum=0.9", "nesterov", "lr=0.05;momentum=0.9", "adagrad", "lr=0.5",
                        "rmsprop", "lr=0.05", "adadelta", "lr=1", "adam", "lr=0.1", "cg", "line_search=exact"),
                problem(TestFunction.rosenbrock(), new double[] {-1.2, 1}, "gd", "lr=0.001", "momentum",
                        "lr=0.0001;momentum=0.9", "momentum-ema", "lr=0.001;momentum=0.9", "nesterov", "lr=0.0001;momentum=0.9",
                        "adagrad", "lr=0.5", "rmsprop", "lr=0.01", "adadelta", "lr=1", "adam", "lr=0.05"),
                problem(TestFunction.beale(), new double[] {1, 1.5}, "gd", "lr=0.01", "momentum", "lr=0.001;momentum=0.9",
                        "momentum-ema", "lr=0.01;momentum=0.9", "nesterov", "lr=0.001;momentum=0.9", "adagrad", "lr=0.5",
                        "rmsprop", "lr=0.01", "adadelta", "lr=1", "adam", "lr=0.05"),
                problem(TestFunction.saddle(), new double[] {1, 0.01}, "gd", "lr=0.1", "momentum", "lr=0.01;momentum=0.9",
                        "momentum-ema", "lr=0.1;momentum=0.9", "nesterov", "lr=0.01;momentum=0.9", "adagrad", "lr=0.5",
                        "rmsprop", "lr=0.01", "adadelta", "lr=1", "adam", "lr=0.05"));
    }

    private static void run(Lab lab) throws IOException {
        int steps = lab.size(1000, 60);
        Csv csv = new Csv("function,optimizer,step,x,y,f");
        Map<String, Map<String, List<Trajectory.Point>>> all = new LinkedHashMap<>();
        for (Problem p : problems()) {
            Map<String, List<Trajectory.Point>> runs = new LinkedHashMap<>();
            for (String opt : OPTIMIZERS) {
                List<Trajectory.Point> path = run(p, opt, steps);
                runs.put(opt, path);
                for (Trajectory.Point pt : path) {
                    csv.row(p.fn().name(), opt, pt.step(), pt.x(), pt.y(), pt.f());
                }
            }
            all.put(p.fn().name(), runs);
        }
        lab.csv("trajectories.csv", csv);
        Map<String, List<Trajectory.Point>> ellipse = all.get("ellipse");
        figure(lab, "gd_vs_momentum.png", "Gradient descent zig-zags across the ellipse; momentum smooths the path",
                problems().getFirst(), pair(ellipse, "gd", "momentum"), 60);
        for (Problem p : problems()) {
            figure(lab, p.fn().name() + ".png", "All optimizers on " + p.fn().name(), p, all.get(p.fn().name()), steps);
        }
        List<List<String>> rows = new ArrayList<>();
        for (String opt : OPTIMIZERS) {
            List<String> row = new ArrayList<>(List.of(opt));
            for (Problem p : problems().subList(0, 3)) {
                int s = stepsToTolerance(all.get(p.fn().name()).get(opt), p.fn());
                row.add(s < 0 ? "not within " + steps : Integer.toString(s));
            }
            List<Trajectory.Point> saddle = all.get("saddle").get(opt);
            row.add(Csv.num(saddle.getLast().f()));
            row.add(problems().getFirst().settings().getOrDefault(opt, "defaults"));
            rows.add(row);
        }
        lab.table("Steps until within " + TOLERANCE + " of the minimum (saddle: f after the run)", List.of("optimizer",
                "ellipse κ=10", "rosenbrock", "beale", "saddle f", "ellipse settings"), rows);

        int newton = stepsToTolerance(ellipse.get("newton"), problems().getFirst().fn());
        lab.verdict("Newton's method on the quadratic ellipse: steps to the minimum", Integer.toString(newton), "1", newton == 1);
        double gdFlips = reversals(ellipse.get("gd"), 50);
        double momentumFlips = reversals(ellipse.get("momentum"), 50);
        lab.verdict("zig-zag: share of the first 50 steps that reverse direction across the valley (y)",
                String.format(Locale.ROOT, "GD %.2f, momentum %.2f", gdFlips, momentumFlips),
                "GD 1.00 (1 − lr·κ = −0.5 < 0 flips every step), momentum far fewer", gdFlips > 0.95 && momentumFlips < 0.5);
        int gdRosen = stepsToTolerance(all.get("rosenbrock").get("gd"), TestFunction.rosenbrock());
        int bfgsRosen = stepsToTolerance(all.get("rosenbrock").get("bfgs"), TestFunction.rosenbrock());
        lab.verdict("Rosenbrock: steps for BFGS vs gradient descent", bfgsRosen + " vs " + (gdRosen < 0 ? "> " + steps : gdRosen),
                "BFGS at least 10× fewer", bfgsRosen > 0 && (gdRosen < 0 || 10 * bfgsRosen <= gdRosen));
        int cg = stepsToTolerance(ellipse.get("cg"), problems().getFirst().fn());
        lab.verdict("conjugate gradients with exact line search on the 2-D quadratic: steps", Integer.toString(cg), "≤ 2 (n = 2)",
                cg > 0 && cg <= 2);
        Trajectory.Point newtonSaddle = all.get("saddle").get("newton").get(1);
        double gdEscape = Math.abs(all.get("saddle").get("gd").getLast().y());
        lab.verdict("saddle x² − y²: where one Newton step goes; how far GD escapes", String.format(Locale.ROOT,
                "Newton to (%.1e, %.1e); GD |y| = %.3g", newtonSaddle.x(), newtonSaddle.y(), gdEscape),
                "Newton onto the saddle point (0, 0); GD away from it (|y| > 1)",
                Math.hypot(newtonSaddle.x(), newtonSaddle.y()) < 1e-9 && gdEscape > 1);
    }

    private static List<Trajectory.Point> run(Problem p, String optimizer, int steps) {
        Map<String, String> h = new LinkedHashMap<>();
        String name = optimizer;
        if (optimizer.equals("momentum-ema")) {
            name = "momentum";
            h.put("momentum_form", "ema");
        }
        String s = p.settings().get(optimizer);
        if (s != null) {
            for (String kv : s.split(";")) {
                String[] e = kv.split("=", 2);
                h.put(e[0], e[1]);
            }
        }
        String n = name;
        // Full-batch methods converge in a few iterations; past that their line searches have nothing to do.
        int budget = List.of("newton", "cg", "bfgs", "lbfgs").contains(name) ? Math.min(steps, 100) : steps;
        // A method that fails here fails the experiment: a one-point path would hide it.
        return Trajectory.run(p.fn(), p.start(), budget, params -> OptimizerNames.minimizer(n, new Hyperparameters(h), params));
    }

    private static Map<String, List<Trajectory.Point>> pair(Map<String, List<Trajectory.Point>> runs, String a, String b) {
        Map<String, List<Trajectory.Point>> m = new LinkedHashMap<>();
        m.put(a, runs.get(a));
        m.put(b, runs.get(b));
        return m;
    }

    /** The first step within {@link #TOLERANCE} of a minimum, or −1. */
    static int stepsToTolerance(List<Trajectory.Point> path, TestFunction fn) {
        for (Trajectory.Point pt : path) {
            for (double[] m : fn.minima()) {
                if (Math.hypot(pt.x() - m[0], pt.y() - m[1]) < TOLERANCE) {
                    return (int) pt.step();
                }
            }
        }
        return -1;
    }

    /** The share of the first n steps whose y-move has the opposite sign to the previous one. */
    static double reversals(List<Trajectory.Point> path, int n) {
        int flips = 0;
        int counted = 0;
        for (int i = 2; i < Math.min(path.size(), n + 2); i++) {
            double a = path.get(i - 1).y() - path.get(i - 2).y();
            double b = path.get(i).y() - path.get(i - 1).y();
            if (a != 0 && b != 0) {
                counted++;
                if (Math.signum(a) != Math.signum(b)) {
                    flips++;
                }
            }
        }
        return counted == 0 ? 0 : (double) flips / counted;
    }

    private static void figure(Lab lab, String file, String caption, Problem p, Map<String, List<Trajectory.Point>> runs,
                               int steps) throws IOException {
        ContourPlot chart = new ContourPlot(p.fn().name() + ", up to " + steps + " steps",
                (x, y) -> p.fn().apply(Tensor.of(NdArray.of(new double[] {x, y}, 2))).item());
        runs.forEach((name, points) -> chart.path(name, points.stream().limit(steps + 1L)
                .filter(pt -> Double.isFinite(pt.x()) && Double.isFinite(pt.y()))
                .map(pt -> new double[] {pt.x(), pt.y()}).toList()));
        p.fn().minima().forEach(m -> chart.marker(m[0], m[1]));
        lab.figure(file, caption, f -> chart.write(f, 900, 750));
    }
}
