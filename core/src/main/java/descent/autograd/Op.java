package descent.autograd;

import descent.tensor.NdArray;

/**
 * The closed set of primitive operations a graph node can hold. Every other differentiable
 * function (mean, softmax, logsumexp, clamp, select, stack, ...) is a composition of these, and
 * {@link Derivatives} has one rule per primitive: the compiler's exhaustive switch says when one is missing.
 */
public sealed interface Op {

    // Elementwise, two inputs of the same shape (broadcasting is done by Expand before them).
    record Add() implements Op {}
    record Sub() implements Op {}
    record Mul() implements Op {}
    record Div() implements Op {}
    record Pow() implements Op {}
    record Maximum() implements Op {}
    record Minimum() implements Op {}

    // Elementwise, one input.
    record Neg() implements Op {}
    record Exp() implements Op {}
    record Log() implements Op {}
    record Sqrt() implements Op {}
    record Abs() implements Op {}
    record Relu() implements Op {}
    record Sigmoid() implements Op {}
    record Tanh() implements Op {}
    record Erf() implements Op {}
    record Sin() implements Op {}
    record Cos() implements Op {}

    /** {@code cond ? a : b} with a constant condition. */
    record Where(NdArray cond) implements Op {}

    // Layout.
    record Reshape(int[] from) implements Op {}
    record Permute(int[] order) implements Op {}
    record Expand(int[] from) implements Op {}
    record Slice(int axis, int start, int end, int step, int[] from) implements Op {}
    /** Writes the input into zeros of {@code shape} at a slice: the adjoint of Slice. */
    record Embed(int axis, int start, int step, int[] shape) implements Op {}
    record Concat(int axis, int[] sizes) implements Op {}

    // Reductions.
    record Sum(int[] axes, boolean keepDims, int[] from) implements Op {}
    record Max(int[] axes, boolean keepDims) implements Op {}

    // Linear algebra and indexing.
    /** Product of two operands of rank ≥ 2 with equal batch shapes. */
    record MatMul() implements Op {}
    record Gather(int axis, NdArray index) implements Op {}
    /** Adds the input into zeros of {@code shape} at {@code index}: the adjoint of Gather. */
    record ScatterAdd(int axis, NdArray index, int[] shape) implements Op {}
}
