package descent.spark;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sum over partitions whose bits do not depend on the order in which Spark delivers the
 * partitions' results. Floating-point addition is not associative, and {@code treeAggregate}
 * merges partial results as tasks finish; here partition p's value is a leaf of a fixed binary
 * tree over partition indices, two sibling blocks are added only when both are present (left
 * plus right), and what remains is added in index order at the end. The same partitions give the
 * same sum, bit for bit, however the tasks were scheduled, retried or recomputed.
 */
final class TreeSum implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Complete aligned blocks by (level, index): block (j, k) is the sum over partitions [k·2ʲ, (k+1)·2ʲ). */
    private final TreeMap<Long, Packed> blocks = new TreeMap<>();
    private int leaves;

    /** The empty sum (treeAggregate's zero). */
    TreeSum() {}

    /** Adds partition {@code index}'s value; returns this. */
    TreeSum add(int index, Packed value) {
        leaves++;
        insert(0, index, value);
        return this;
    }

    /** Adds every block of {@code other} (disjoint partitions); returns this. */
    TreeSum merge(TreeSum other) {
        leaves += other.leaves;
        for (Map.Entry<Long, Packed> e : other.blocks.entrySet()) {
            insert(level(e.getKey()), index(e.getKey()), e.getValue());
        }
        return this;
    }

    private void insert(int level, long index, Packed value) {
        while (true) {
            Packed sibling = blocks.remove(key(level, index ^ 1));
            if (sibling == null) {
                if (blocks.put(key(level, index), value) != null) {
                    throw new IllegalStateException("partition block (" + level + ", " + index + ") arrived twice");
                }
                return;
            }
            value = (index & 1) == 0 ? value.plus(sibling) : sibling.plus(value);
            index >>= 1;
            level++;
        }
    }

    /** How many partitions the sum holds. */
    int count() {
        return leaves;
    }

    /** The total: the remaining blocks added in the order of the partitions they cover. */
    Packed total() {
        TreeMap<Long, Packed> byStart = new TreeMap<>();
        blocks.forEach((k, v) -> byStart.put(index(k) << level(k), v));
        Packed sum = null;
        for (Packed p : byStart.values()) {
            sum = sum == null ? p : sum.plus(p);
        }
        if (sum == null) {
            throw new IllegalStateException("no partition returned a value");
        }
        return sum;
    }

    private static long key(int level, long index) {
        return ((long) level << 40) | index;
    }

    private static int level(long key) {
        return (int) (key >>> 40);
    }

    private static long index(long key) {
        return key & ((1L << 40) - 1);
    }
}
