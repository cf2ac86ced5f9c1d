package descent.tensor;

/**
 * Walks several equally shaped layouts row by row, calling a kernel on each innermost row.
 *
 * <p>Axes that are contiguous with each other in every operand are merged first, so a contiguous
 * array (or a broadcast scalar) is a single long row and the kernel sees the whole of it at once.
 */
final class Rows {

    /** Receives one row: the storage offset of each operand and the row's length. */
    interface Visitor {
        void row(int[] offsets, int n);
    }

    final int[] innerStrides;
    private final int[] outerShape;
    private final int[][] outerStrides;
    private final int[] baseOffsets;
    private final int n;

    /** Prepares a walk over {@code shape}; operand k has strides {@code strides[k]} and offset {@code offsets[k]}. */
    Rows(int[] shape, int[][] strides, int[] offsets) {
        int ops = strides.length;
        // Merge axes from the innermost outwards.
        int rank = shape.length;
        int[] dims = new int[Math.max(rank, 1)];
        int[][] st = new int[ops][Math.max(rank, 1)];
        int count = 0;
        for (int ax = rank - 1; ax >= 0; ax--) {
            if (shape[ax] == 1) {
                continue;
            }
            boolean merge = count > 0;
            for (int k = 0; k < ops && merge; k++) {
                merge = strides[k][ax] == st[k][count - 1] * dims[count - 1];
            }
            if (merge) {
                dims[count - 1] *= shape[ax];
            } else {
                dims[count] = shape[ax];
                for (int k = 0; k < ops; k++) {
                    st[k][count] = strides[k][ax];
                }
                count++;
            }
        }
        if (count == 0) { // a scalar or all-ones shape: one row of one element (or none if size 0)
            dims[0] = Shapes.size(shape);
            count = 1;
        }
        n = dims[0];
        innerStrides = new int[ops];
        outerShape = new int[count - 1];
        outerStrides = new int[ops][count - 1];
        for (int k = 0; k < ops; k++) {
            innerStrides[k] = st[k][0];
            for (int i = 1; i < count; i++) {
                outerStrides[k][count - 1 - i] = st[k][i];
            }
        }
        for (int i = 1; i < count; i++) {
            outerShape[count - 1 - i] = dims[i];
        }
        baseOffsets = offsets.clone();
    }

    void forEach(Visitor visitor) {
        int rows = Shapes.size(outerShape);
        if (n == 0 || rows == 0) {
            return;
        }
        int ops = baseOffsets.length;
        int[] idx = new int[outerShape.length];
        int[] off = baseOffsets.clone();
        for (int r = 0; r < rows; r++) {
            visitor.row(off, n);
            // Advance the outer index like an odometer, updating each operand's offset.
            for (int ax = outerShape.length - 1; ax >= 0; ax--) {
                idx[ax]++;
                for (int k = 0; k < ops; k++) {
                    off[k] += outerStrides[k][ax];
                }
                if (idx[ax] < outerShape[ax]) {
                    break;
                }
                for (int k = 0; k < ops; k++) {
                    off[k] -= outerStrides[k][ax] * outerShape[ax];
                }
                idx[ax] = 0;
            }
        }
    }
}
