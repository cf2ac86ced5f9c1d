package descent.problems;

import descent.autograd.Tensor;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * A classic 2-D objective for watching optimizers: f maps a float64 tensor θ = [x, y] to a scalar,
 * built from differentiable ops so gradients and Hessians come from autodiff.
 *
 * @param minima the global minimizers (empty for the saddle, which has none)
 */
public record TestFunction(String name, UnaryOperator<Tensor> f, List<double[]> minima) {

    /** ½(x² + κy²): condition number κ. */
    public static TestFunction ellipse(double kappa) {
        return new TestFunction("ellipse", t -> x(t).pow(2).add(y(t).pow(2).mul(kappa)).mul(0.5), List.of(new double[] {0, 0}));
    }

    /** ½θᵀPθ + qᵀθ with P = [[a, b], [c, d]]; its minimum solves Pθ = −q when P is positive definite. */
    public static TestFunction quadratic(double a, double b, double c, double d, double e, double f) {
        double det = a * d - b * c;
        // For a symmetric positive-definite P the minimizer is −P⁻¹q; otherwise none is listed.
        List<double[]> min = det > 0 && a > 0 && b == c ? List.of(new double[] {-(d * e - b * f) / det, -(-c * e + a * f) / det})
                : List.of();
        return new TestFunction("quadratic", t -> {
            Tensor x = x(t);
            Tensor y = y(t);
            Tensor quad = x.mul(x).mul(a).add(x.mul(y).mul(b + c)).add(y.mul(y).mul(d)).mul(0.5);
            return quad.add(x.mul(e)).add(y.mul(f));
        }, min);
    }

    /** (a − x)² + b(y − x²)² with a = 1, b = 100: a curved valley, minimum at (1, 1). */
    public static TestFunction rosenbrock() {
        return new TestFunction("rosenbrock", t -> x(t).neg().add(1).pow(2).add(y(t).sub(x(t).pow(2)).pow(2).mul(100)),
                List.of(new double[] {1, 1}));
    }

    /** (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: minimum at (3, 0.5). */
    public static TestFunction beale() {
        return new TestFunction("beale", t -> {
            Tensor x = x(t);
            Tensor y = y(t);
            Tensor a = x.neg().add(x.mul(y)).add(1.5);
            Tensor b = x.neg().add(x.mul(y.pow(2))).add(2.25);
            Tensor c = x.neg().add(x.mul(y.pow(3))).add(2.625);
            return a.pow(2).add(b.pow(2)).add(c.pow(2));
        }, List.of(new double[] {3, 0.5}));
    }

    /** (x² + y − 11)² + (x + y² − 7)²: four minima, all at f = 0. */
    public static TestFunction himmelblau() {
        return new TestFunction("himmelblau", t -> x(t).pow(2).add(y(t)).sub(11).pow(2).add(x(t).add(y(t).pow(2)).sub(7).pow(2)),
                List.of(new double[] {3, 2}, new double[] {-2.805118, 3.131312}, new double[] {-3.779310, -3.283186},
                        new double[] {3.584428, -1.848126}));
    }

    /** x² − y²: a saddle at the origin, unbounded below. */
    public static TestFunction saddle() {
        return new TestFunction("saddle", t -> x(t).pow(2).sub(y(t).pow(2)), List.of());
    }

    /** (x + 2y − 7)² + (2x + y − 5)²: minimum at (1, 3). */
    public static TestFunction booth() {
        return new TestFunction("booth", t -> x(t).add(y(t).mul(2)).sub(7).pow(2).add(x(t).mul(2).add(y(t)).sub(5).pow(2)),
                List.of(new double[] {1, 3}));
    }

    /**
     * 20 + Σᵢ (θᵢ² − 10·cos 2πθᵢ): a bowl covered in ripples, a local minimum near every integer
     * point and the global one at the origin (Rastrigin, 1974). Blurred by a Gaussian of standard
     * deviation σ it is 20 + Σᵢ (θᵢ² + σ² − 10·e^(−2π²σ²)·cos 2πθᵢ): the ripples fade and the bowl stays.
     */
    public static TestFunction rastrigin() {
        return new TestFunction("rastrigin", t -> {
            Tensor twoPi = t.mul(2 * Math.PI);
            return t.pow(2).sub(twoPi.cos().mul(10)).sum().add(20);
        }, List.of(new double[] {0, 0}));
    }

    /** By name: ellipse (with kappa), quadratic (with P and q), rosenbrock, beale, himmelblau, saddle, booth, rastrigin. */
    public static TestFunction byName(String name, double kappa, double[] p, double[] q) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "ellipse" -> ellipse(kappa);
            case "quadratic" -> quadratic(p[0], p[1], p[2], p[3], q[0], q[1]);
            case "rosenbrock" -> rosenbrock();
            case "beale" -> beale();
            case "himmelblau" -> himmelblau();
            case "saddle" -> saddle();
            case "booth" -> booth();
            case "rastrigin" -> rastrigin();
            default -> throw new IllegalArgumentException("unknown function '" + name
                    + "' (expected ellipse, quadratic, rosenbrock, beale, himmelblau, saddle, booth or rastrigin)");
        };
    }

    public Tensor apply(Tensor theta) {
        return f.apply(theta);
    }

    private static Tensor x(Tensor t) {
        return t.select(0, 0);
    }

    private static Tensor y(Tensor t) {
        return t.select(0, 1);
    }
}
