package descent.optim.fullbatch;

import descent.optim.Closure;

/**
 * A closure that also gives Hessian-vector products of its loss at the parameters' current values,
 * for Newton-CG on a loss that is no single graph on this machine (one summed over a cluster, say).
 * Vectors are flat, in the order of the minimizer's parameters.
 */
public interface SecondOrderClosure extends Closure {

    /** H·v at the current parameters. */
    double[] hessianVector(double[] v);
}
