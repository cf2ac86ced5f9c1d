/**
 * Reverse-mode automatic differentiation: {@link descent.autograd.Tensor} records a graph of
 * primitive {@link descent.autograd.Op}s, and {@link descent.autograd.Derivatives} holds every
 * vector-Jacobian product, written in differentiable tensor operations so that gradients of
 * gradients (Hessian-vector products, exact Hessians) come from the same rules.
 */
package descent.autograd;
