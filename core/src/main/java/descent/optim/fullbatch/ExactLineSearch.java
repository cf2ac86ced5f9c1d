package descent.optim.fullbatch;

/**
 * An exact line search: secant iterations on φ'(α) = 0 until |φ'(α)| ≤ tol·|φ'(0)|. On a
 * quadratic φ' is linear, so the first secant step is the exact minimizer. Off a quadratic the
 * secant can land where φ is higher than at the start (a quartic's far side, say); then it falls
 * back to backtracking from the initial step until φ decreases, so the search always makes progress
 * along a descent direction.
 */
record ExactLineSearch(double tolerance, int maxSteps) implements LineSearch {

    @Override
    public double search(Phi phi, double phi0, double slope0, double initial) {
        double a0 = 0;
        double s0 = slope0;
        double a1 = initial;
        double f1 = phi.value(a1);
        double s1 = phi.slope();
        for (int i = 0; i < maxSteps && Math.abs(s1) > tolerance * Math.abs(slope0); i++) {
            if (s1 == s0) {
                break;
            }
            double a2 = a1 - s1 * (a1 - a0) / (s1 - s0);
            a0 = a1;
            s0 = s1;
            a1 = a2;
            f1 = phi.value(a1);
            s1 = phi.slope();
        }
        if (f1 <= phi0) {
            return a1;
        }
        double alpha = initial;
        for (int i = 0; i < 60; i++, alpha *= 0.5) {
            if (phi.value(alpha) <= phi0 + 1e-4 * alpha * slope0) {
                return alpha;
            }
        }
        throw new Failed("exact line search: no decrease along the direction in 60 halvings of " + initial);
    }
}
