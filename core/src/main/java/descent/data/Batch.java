package descent.data;

import descent.tensor.NdArray;

/**
 * One minibatch: inputs of shape {@code [n, example shape...]}, their labels, and the examples'
 * indices in the data set (for per-example scores such as a curriculum's).
 */
public record Batch(NdArray inputs, int[] labels, int[] indices) {

    public int size() {
        return labels.length;
    }
}
