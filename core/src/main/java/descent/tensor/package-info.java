/**
 * Dense n-dimensional arrays of float32 or float64: a {@link descent.tensor.Layout} (shape, strides,
 * offset) over shared storage, views that only change the layout, and operations that run on
 * {@link descent.kernels.Kernels}. No automatic differentiation here; that is {@code descent.autograd}.
 */
package descent.tensor;
