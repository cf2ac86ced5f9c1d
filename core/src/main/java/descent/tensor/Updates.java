package descent.tensor;

import descent.kernels.AdamStep;
import descent.kernels.Kernels;
import descent.kernels.SgdStep;
import java.util.Arrays;

/**
 * Optimizer steps in one pass over a parameter: the rule chains of {@code descent.optim} (weight
 * decay, momentum or Adam's moments, the learning rate, the final addition) computed element by
 * element by {@link Kernels#sgd} and {@link Kernels#adam}, each product and sum rounded as the
 * chain's separate operations round it. The fused step gives the chain's numbers bit for bit and
 * only saves the passes and the arrays between them.
 *
 * <p>State is written into the caller's output arrays, which may be the state arrays themselves:
 * an optimizer that owns its moments updates them in place. The new parameter is always a new
 * array, since parameters are values that other code (a graph, a checkpoint) may still hold.
 */
public final class Updates {

    private Updates() {}

    /**
     * One SGD step: {@code buffer} is the momentum buffer before the step (null at the first), and
     * the buffer after is written into {@code bufferOut}; both are unused, and may be null, when the
     * momentum is 0. Returns the new parameter.
     */
    public static NdArray sgd(SgdStep s, NdArray param, NdArray grad, NdArray buffer, NdArray bufferOut) {
        boolean momentum = s.momentum() != 0;
        NdArray g = input("sgd", param, grad);
        NdArray b = momentum && buffer != null ? input("sgd", param, buffer) : null;
        if (momentum) {
            output("sgd", param, bufferOut);
        }
        NdArray p = flat(param);
        NdArray out = NdArray.zeros(param.dtype, param.shape());
        Kernels k = NdArray.kernels();
        if (param.dtype == DType.FLOAT32) {
            k.sgd(s, p.f, g.f, b == null ? null : b.f, momentum ? bufferOut.f : null, out.f, out.size());
        } else {
            k.sgd(s, p.d, g.d, b == null ? null : b.d, momentum ? bufferOut.d : null, out.d, out.size());
        }
        return out;
    }

    /**
     * One Adam step: reads the moments {@code m} and {@code v}, writes the new ones into {@code mOut}
     * and {@code vOut} (which may be m and v themselves), and returns the new parameter.
     */
    public static NdArray adam(AdamStep s, NdArray param, NdArray grad, NdArray m, NdArray v, NdArray mOut,
                               NdArray vOut) {
        NdArray p = flat(param);
        NdArray g = input("adam", param, grad);
        NdArray cm = input("adam", param, m);
        NdArray cv = input("adam", param, v);
        output("adam", param, mOut);
        output("adam", param, vOut);
        NdArray out = NdArray.zeros(param.dtype, param.shape());
        Kernels k = NdArray.kernels();
        if (param.dtype == DType.FLOAT32) {
            k.adam(s, p.f, g.f, cm.f, cv.f, mOut.f, vOut.f, out.f, out.size());
        } else {
            k.adam(s, p.d, g.d, cm.d, cv.d, mOut.d, vOut.d, out.d, out.size());
        }
        return out;
    }

    /** An input shaped like the parameter, as {@link #flat}. */
    private static NdArray input(String op, NdArray param, NdArray a) {
        check(op, param, a);
        return flat(a);
    }

    /** A row-major array starting at its storage's first element (copied if need be). */
    private static NdArray flat(NdArray a) {
        return a.isContiguous() && a.layout.offset() == 0 ? a : a.copy();
    }

    /** Outputs are written by flat index from the storage's start. */
    private static void output(String op, NdArray param, NdArray out) {
        check(op, param, out);
        if (!out.isContiguous() || out.layout.offset() != 0) {
            throw new IllegalArgumentException(op + ": output arrays must be contiguous and start their storage");
        }
    }

    private static void check(String op, NdArray param, NdArray other) {
        if (!Arrays.equals(param.layout.shape(), other.layout.shape()) || param.dtype != other.dtype) {
            throw new ShapeException(op + ": shapes " + Shapes.str(param.layout.shape()) + " " + param.dtype + " and "
                    + Shapes.str(other.layout.shape()) + " " + other.dtype + " must be equal");
        }
    }
}
