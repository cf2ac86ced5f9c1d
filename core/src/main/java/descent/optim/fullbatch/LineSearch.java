package descent.optim.fullbatch;

/**
 * Chooses a step length α along a descent direction d from x, given φ(α) = f(x + αd) and
 * φ'(α) = ∇f(x + αd)·d. Implementations are reusable pieces with their constants exposed.
 */
public interface LineSearch {

    /** φ and φ' at one α, evaluated together because one closure call gives both. */
    interface Phi {
        /** Evaluates at α and returns φ(α); {@link #slope()} then gives φ'(α). */
        double value(double alpha);

        double slope();
    }

    /**
     * A step length satisfying the search's conditions, starting from {@code initial}, given
     * φ(0) and φ'(0) &lt; 0. After it returns, the last evaluation of φ was at the returned α.
     */
    double search(Phi phi, double phi0, double slope0, double initial);

    /** Backtracking (Armijo, 1966): α ← ρα until φ(α) ≤ φ(0) + c₁αφ'(0). */
    static LineSearch armijo(double c1, double shrink, int maxSteps) {
        return new Armijo(c1, shrink, maxSteps);
    }

    static LineSearch armijo() {
        return armijo(1e-4, 0.5, 60);
    }

    /**
     * Strong Wolfe conditions by bracketing and zoom (Nocedal &amp; Wright, Algorithms 3.5 and 3.6):
     * φ(α) ≤ φ(0) + c₁αφ'(0) and |φ'(α)| ≤ c₂|φ'(0)|. Use c₂ = 0.9 for quasi-Newton methods and
     * c₂ = 0.1 for conjugate gradients.
     */
    static LineSearch strongWolfe(double c1, double c2, int maxSteps) {
        return new StrongWolfe(c1, c2, maxSteps);
    }

    static LineSearch strongWolfe() {
        return strongWolfe(1e-4, 0.9, 40);
    }

    /**
     * An exact line search (secant iterations on φ' = 0), exact in one step on quadratics: the
     * line search the theory of conjugate gradients assumes.
     */
    static LineSearch exact(double tolerance, int maxSteps) {
        return new ExactLineSearch(tolerance, maxSteps);
    }

    static LineSearch exact() {
        return exact(1e-10, 50);
    }

    /** Thrown when no acceptable step exists within the search's budget. */
    final class Failed extends RuntimeException {
        public Failed(String message) {
            super(message);
        }
    }
}
