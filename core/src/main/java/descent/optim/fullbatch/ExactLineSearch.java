package descent.optim.fullbatch;

/**
 * An exact line search: secant iterations on φ'(α) = 0 until |φ'(α)| ≤ tol·|φ'(0)|. On a
 * quadratic φ' is linear, so the first secant step is the exact minimizer.
 */
record ExactLineSearch(double tolerance, int maxSteps) implements LineSearch {

    @Override
    public double search(Phi phi, double phi0, double slope0, double initial) {
        double a0 = 0;
        double s0 = slope0;
        double a1 = initial;
        phi.value(a1);
        double s1 = phi.slope();
        for (int i = 0; i < maxSteps && Math.abs(s1) > tolerance * Math.abs(slope0); i++) {
            if (s1 == s0) {
                break;
            }
            double a2 = a1 - s1 * (a1 - a0) / (s1 - s0);
            a0 = a1;
            s0 = s1;
            a1 = a2;
            phi.value(a1);
            s1 = phi.slope();
        }
        return a1;
    }
}
