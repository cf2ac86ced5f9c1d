/**
 * Full-batch methods on parameters seen as one vector: line searches (Armijo, strong Wolfe, exact),
 * nonlinear conjugate gradients, BFGS, L-BFGS, Newton's method and Newton-CG (Hessians by double
 * backward), and (block) coordinate descent, with the small dense linear algebra they need.
 *
 * <p>Each is a {@link descent.optim.Minimizer}: a step is one iteration, driven by a closure that
 * evaluates the loss over the whole data set.
 */
package descent.optim.fullbatch;
