package descent.optim.fullbatch;

/** Backtracking until sufficient decrease; see {@link LineSearch#armijo}. */
record Armijo(double c1, double shrink, int maxSteps) implements LineSearch {

    Armijo {
        if (!(c1 > 0 && c1 < 1) || !(shrink > 0 && shrink < 1) || maxSteps < 1) {
            throw new IllegalArgumentException("armijo: needs 0 < c1 < 1, 0 < shrink < 1 and maxSteps >= 1");
        }
    }

    @Override
    public double search(Phi phi, double phi0, double slope0, double initial) {
        double alpha = initial;
        for (int i = 0; i < maxSteps; i++) {
            if (phi.value(alpha) <= phi0 + c1 * alpha * slope0) {
                return alpha;
            }
            alpha *= shrink;
        }
        throw new LineSearch.Failed("armijo: no sufficient decrease after " + maxSteps + " halvings (α = " + alpha + ")");
    }
}
