package descent.optim.fullbatch;

/** Bracketing and zoom for the strong Wolfe conditions; see {@link LineSearch#strongWolfe}. */
record StrongWolfe(double c1, double c2, int maxSteps) implements LineSearch {

    StrongWolfe {
        if (!(c1 > 0 && c1 < c2 && c2 < 1) || maxSteps < 1) {
            throw new IllegalArgumentException("strong Wolfe: needs 0 < c1 < c2 < 1 and maxSteps >= 1");
        }
    }

    @Override
    public double search(Phi phi, double phi0, double slope0, double initial) {
        double prevAlpha = 0;
        double prevValue = phi0;
        double prevSlope = slope0;
        double alpha = initial;
        for (int i = 0; i < maxSteps; i++) {
            double value = phi.value(alpha);
            if (value > phi0 + c1 * alpha * slope0 || (i > 0 && value >= prevValue)) {
                return zoom(phi, phi0, slope0, prevAlpha, prevValue, prevSlope, alpha, value, phi.slope());
            }
            double slope = phi.slope();
            if (Math.abs(slope) <= -c2 * slope0) {
                return alpha;
            }
            if (slope >= 0) {
                return zoom(phi, phi0, slope0, alpha, value, slope, prevAlpha, prevValue, prevSlope);
            }
            prevAlpha = alpha;
            prevValue = value;
            prevSlope = slope;
            alpha *= 2;
        }
        throw new LineSearch.Failed("strong Wolfe: no bracket after " + maxSteps + " expansions (α = " + alpha + ")");
    }

    /** Narrows [lo, hi], where lo satisfies sufficient decrease and the bracket holds a Wolfe point. */
    private double zoom(Phi phi, double phi0, double slope0, double lo, double loValue, double loSlope,
                        double hi, double hiValue, double hiSlope) {
        for (int i = 0; i < maxSteps; i++) {
            double alpha = cubicMinimizer(lo, loValue, loSlope, hi, hiValue, hiSlope);
            double value = phi.value(alpha);
            if (value > phi0 + c1 * alpha * slope0 || value >= loValue) {
                hi = alpha;
                hiValue = value;
                hiSlope = phi.slope();
            } else {
                double slope = phi.slope();
                if (Math.abs(slope) <= -c2 * slope0) {
                    return alpha;
                }
                if (slope * (hi - lo) >= 0) {
                    hi = lo;
                    hiValue = loValue;
                    hiSlope = loSlope;
                }
                lo = alpha;
                loValue = value;
                loSlope = slope;
            }
            if (Math.abs(hi - lo) < 1e-16 * Math.max(1, Math.abs(lo))) {
                break;
            }
        }
        // The interval collapsed: lo satisfies sufficient decrease, the best that can be had.
        phi.value(lo);
        return lo;
    }

    /**
     * The minimizer of the cubic through (a, fa, ga) and (b, fb, gb), kept at least 10 % of the
     * interval away from its ends; bisection if the cubic has no minimizer there.
     */
    static double cubicMinimizer(double a, double fa, double ga, double b, double fb, double gb) {
        double d1 = ga + gb - 3 * (fa - fb) / (a - b);
        double disc = d1 * d1 - ga * gb;
        double lo = Math.min(a, b);
        double hi = Math.max(a, b);
        double margin = 0.1 * (hi - lo);
        if (disc >= 0 && Double.isFinite(disc)) {
            double d2 = Math.signum(b - a) * Math.sqrt(disc);
            double x = b - (b - a) * (gb + d2 - d1) / (gb - ga + 2 * d2);
            if (Double.isFinite(x)) {
                return Math.min(Math.max(x, lo + margin), hi - margin);
            }
        }
        return (a + b) / 2;
    }
}
