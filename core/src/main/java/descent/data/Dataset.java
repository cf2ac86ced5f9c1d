package descent.data;

import descent.tensor.NdArray;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Labelled examples held in memory: {@code size()} examples of {@code exampleShape} float32
 * features, row-major in one array, each with an integer class label in {@code [0, classes)}.
 * Immutable; subsets and splits copy.
 */
public final class Dataset {

    private final String name;
    private final float[] features;
    private final int[] exampleShape;
    private final int featureSize;
    private final int[] labels;
    private final int classes;

    /** Takes ownership of both arrays. */
    public Dataset(String name, float[] features, int[] exampleShape, int[] labels, int classes) {
        int fs = 1;
        for (int d : exampleShape) {
            if (d <= 0) {
                throw new IllegalArgumentException("example shape " + Arrays.toString(exampleShape) + " of " + name
                        + " has a non-positive dimension");
            }
            fs *= d;
        }
        if ((long) labels.length * fs != features.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels need " + (long) labels.length * fs
                    + " feature values for examples of shape " + Arrays.toString(exampleShape) + ", got " + features.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of example " + i
                        + " is outside [0, " + classes + ")");
            }
        }
        this.name = name;
        this.features = features;
        this.exampleShape = exampleShape.clone();
        this.featureSize = fs;
        this.labels = labels;
        this.classes = classes;
    }

    public String name() {
        return name;
    }

    public int size() {
        return labels.length;
    }

    public int[] exampleShape() {
        return exampleShape.clone();
    }

    /** Values per example (784 for MNIST). */
    public int featureSize() {
        return featureSize;
    }

    public int classes() {
        return classes;
    }

    public int label(int i) {
        return labels[i];
    }

    /** Copies example {@code i}'s features into {@code dst} at {@code offset}. */
    public void copyFeatures(int i, float[] dst, int offset) {
        System.arraycopy(features, i * featureSize, dst, offset, featureSize);
    }

    /** Feature value {@code j} of example {@code i}. */
    public float feature(int i, int j) {
        return features[i * featureSize + j];
    }

    /** Mean and standard deviation of the features: one pair per feature, or one global pair. */
    public record Moments(float[] mean, float[] std) {}

    /**
     * The moments to standardize inputs with. A per-feature std below 1e-6 (a pixel that is constant
     * in the training set) is replaced by 1, as scikit-learn does, rather than divided by.
     */
    public Moments moments(boolean perFeature) {
        int groups = perFeature ? featureSize : 1;
        double[] sum = new double[groups];
        double[] sumSq = new double[groups];
        for (int i = 0; i < features.length; i++) {
            int g = perFeature ? i % featureSize : 0;
            sum[g] += features[i];
            sumSq[g] += (double) features[i] * features[i];
        }
        double count = perFeature ? size() : features.length;
        float[] mean = new float[groups];
        float[] std = new float[groups];
        for (int g = 0; g < groups; g++) {
            double m = sum[g] / count;
            double sd = Math.sqrt(Math.max(0, sumSq[g] / count - m * m));
            mean[g] = (float) m;
            std[g] = sd < 1e-6 ? 1f : (float) sd;
        }
        return new Moments(mean, std);
    }

    /** The examples at {@code indices}, in that order. */
    public Dataset subset(String subsetName, int[] indices) {
        return new Dataset(subsetName, gatherFeatures(indices), exampleShape, gatherLabels(indices), classes);
    }

    /** The examples at {@code indices} as one flat batch: features [n, featureSize] and their labels. */
    public Batch batch(int[] indices) {
        return new Batch(NdArray.wrap(gatherFeatures(indices), indices.length, featureSize), gatherLabels(indices),
                indices.clone());
    }

    /** Examples {@code from} (inclusive) to {@code to} (exclusive) as one flat batch. */
    public Batch batch(int from, int to) {
        int[] idx = new int[to - from];
        Arrays.setAll(idx, i -> from + i);
        return batch(idx);
    }

    /** The features of the examples at {@code indices}, one after another. */
    float[] gatherFeatures(int[] indices) {
        float[] f = new float[indices.length * featureSize];
        for (int k = 0; k < indices.length; k++) {
            copyFeatures(indices[k], f, k * featureSize);
        }
        return f;
    }

    int[] gatherLabels(int[] indices) {
        int[] l = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            l[k] = labels[indices[k]];
        }
        return l;
    }

    /** The first {@code n} examples. */
    public Dataset head(int n) {
        if (n >= size()) {
            return this;
        }
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> i);
        return subset(name, idx);
    }

    /** A random split: {@code validation} holds round(fraction·size) examples drawn without replacement. */
    public record Split(Dataset train, Dataset validation) {}

    public Split split(double validationFraction, RandomGenerator rng) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + validationFraction);
        }
        int[] order = Samplers.permutation(size(), rng);
        int nVal = (int) Math.round(validationFraction * size());
        if (nVal == 0 || nVal == size()) {
            throw new IllegalArgumentException("a validation fraction of " + validationFraction + " leaves "
                    + (nVal == 0 ? "no validation" : "no training") + " examples out of " + size());
        }
        int[] val = Arrays.copyOfRange(order, 0, nVal);
        int[] train = Arrays.copyOfRange(order, nVal, size());
        Arrays.sort(val); // keep the original order within each part
        Arrays.sort(train);
        return new Split(subset(name + " (train split)", train), subset(name + " (validation split)", val));
    }

    @Override
    public String toString() {
        return name + ": " + size() + " examples of shape " + Arrays.toString(exampleShape) + ", " + classes + " classes";
    }
}
