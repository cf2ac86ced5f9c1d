/**
 * CPU compute kernels over plain Java arrays: elementwise maps, reductions, GEMM, and the fused
 * optimizer steps ({@link descent.kernels.Kernels#sgd} with {@link descent.kernels.SgdStep},
 * {@link descent.kernels.Kernels#adam} with {@link descent.kernels.AdamStep}), which update a
 * parameter and its state in one pass.
 *
 * <p>Every kernel has a scalar reference ({@link descent.kernels.ScalarKernels}) and a Vector API
 * twin ({@link descent.kernels.VectorKernels}); {@link descent.kernels.Kernels#get()} picks one at
 * start-up. This package knows nothing of tensors or autodiff, and it is the only place that
 * imports {@code jdk.incubator.vector}.
 */
package descent.kernels;
