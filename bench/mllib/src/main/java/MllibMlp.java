import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Spark MLlib's MultilayerPerceptronClassifier (784-256-128-10, its defaults: L-BFGS, block size
 * 128, tol 1e-6, maxIter 100) on MNIST on a local Spark. It first trains FIRST iterations in one fit
 * (100: its defaults), then, since MLlib has no per-iteration callback, goes on in chunks of CHUNK
 * iterations, each starting from the last one's weights (L-BFGS's memory restarts at each), and
 * prints the training time and test accuracy after each fit, until the accuracy stops improving for
 * two chunks, MAX_ITER iterations, or MINUTES of training.
 *
 *   java -cp ... MllibMlp DATA_DIR MASTER FIRST CHUNK MAX_ITER MINUTES
 */
public class MllibMlp {

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        String master = args[1];
        int first = Integer.parseInt(args[2]);
        int chunk = Integer.parseInt(args[3]);
        int maxIter = Integer.parseInt(args[4]);
        double minutes = Double.parseDouble(args[5]);
        SparkSession spark = SparkSession.builder().master(master).appName("mllib-mlp")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        Dataset<Row> train = frame(spark, data, "train").cache();
        Dataset<Row> test = frame(spark, data, "t10k").cache();
        System.out.printf("mllib: %d training, %d test examples, master %s, default parallelism %d%n", train.count(),
                test.count(), master, spark.sparkContext().defaultParallelism());
        MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy");
        MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier().setLayers(new int[] {784, 256, 128, 10})
                .setSeed(1L).setMaxIter(first);
        double seconds = 0; // training time only: evaluating after each chunk is not counted
        double best = 0;
        int sinceBest = 0;
        System.out.println("iterations,seconds,test_accuracy");
        for (int done = first; done <= maxIter; done += chunk) {
            long t0 = System.nanoTime();
            MultilayerPerceptronClassificationModel model = mlp.fit(train);
            seconds += (System.nanoTime() - t0) / 1e9;
            double acc = accuracy.evaluate(model.transform(test));
            System.out.printf(Locale.ROOT, "%d,%.1f,%.4f%n", done, seconds, acc);
            if (acc > best + 1e-4) {
                best = acc;
                sinceBest = 0;
            } else if (++sinceBest == 2) {
                break;
            }
            if (seconds > minutes * 60) {
                break;
            }
            mlp.setInitialWeights(model.weights()).setMaxIter(chunk);
        }
        System.out.printf(Locale.ROOT, "mllib: best test accuracy %.4f%n", best);
        spark.stop();
    }

    /** MNIST's IDX files as (label, features in [0, 1]) rows. */
    static Dataset<Row> frame(SparkSession spark, Path dir, String prefix) throws IOException {
        byte[] images = read(dir, prefix + "-images-idx3-ubyte");
        byte[] labels = read(dir, prefix + "-labels-idx1-ubyte");
        int n = (labels[4] & 0xff) << 24 | (labels[5] & 0xff) << 16 | (labels[6] & 0xff) << 8 | (labels[7] & 0xff);
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] x = new double[784];
            for (int j = 0; j < 784; j++) {
                x[j] = (images[16 + i * 784 + j] & 0xff) / 255.0;
            }
            rows.add(RowFactory.create((double) labels[8 + i], Vectors.dense(x)));
        }
        StructType schema = new StructType(new StructField[] {
            new StructField("label", DataTypes.DoubleType, false, Metadata.empty()),
            new StructField("features", new VectorUDT(), false, Metadata.empty())});
        return spark.createDataFrame(rows, schema);
    }

    private static byte[] read(Path dir, String name) throws IOException {
        Path raw = dir.resolve(name);
        if (Files.exists(raw)) {
            return Files.readAllBytes(raw);
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(name + ".gz")))) {
            return in.readAllBytes();
        }
    }
}
