package descent.spark;

import descent.data.Dataset;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * One partition's share of a training set, shipped to the executors once and cached there: no
 * minibatch crosses the network after that. Shard p of n holds examples p, p + n, p + 2n, ...,
 * so every shard has about the same size and the same mix of the original order.
 */
record Shard(int index, float[] features, int[] exampleShape, int[] labels, int classes) implements Serializable {

    /** The training set split into {@code n} shards. */
    static List<Shard> split(Dataset data, int n) {
        if (n < 1 || n > data.size()) {
            throw new IllegalArgumentException("cannot split " + data.size() + " examples into " + n + " partitions");
        }
        List<Shard> out = new ArrayList<>();
        int f = data.featureSize();
        for (int p = 0; p < n; p++) {
            int size = (data.size() - p + n - 1) / n;
            float[] x = new float[size * f];
            int[] y = new int[size];
            for (int k = 0; k < size; k++) {
                data.copyFeatures(p + k * n, x, k * f);
                y[k] = data.label(p + k * n);
            }
            out.add(new Shard(p, x, data.exampleShape(), y, data.classes()));
        }
        return out;
    }

    /**
     * The shards as a cached RDD, one per partition. Each shard travels once, as a broadcast that
     * only the executors computing it fetch; the RDD's own partitions hold just an index, so a
     * round's tasks stay small. A partition lost with its executor is rebuilt from its broadcast.
     */
    static JavaRDD<Shard> distribute(JavaSparkContext sc, List<Shard> shards) {
        List<Broadcast<Shard>> sent = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        for (Shard s : shards) {
            sent.add(sc.broadcast(s));
            indices.add(s.index());
        }
        return sc.parallelize(indices, shards.size()).map(i -> sent.get(i).value()).cache();
    }

    int size() {
        return labels.length;
    }

    Dataset dataset() {
        return new Dataset("partition " + index, features, exampleShape, labels, classes);
    }
}
