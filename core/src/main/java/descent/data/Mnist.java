package descent.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MNIST-layout data sets (MNIST, Fashion-MNIST, KMNIST, ...) from a folder of the four IDX files,
 * raw or gzipped: 28×28 grey images scaled to [0, 1] with labels 0–9.
 */
public final class Mnist {

    /** The four files by their standard names, without a {@code .gz} suffix. */
    public static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private static final int CLASSES = 10;

    private Mnist() {}

    public record Splits(Dataset train, Dataset test) {}

    /** Loads the training and test sets; {@code name} labels them ("mnist", "fashion-mnist"). */
    public static Splits load(Path dir, String name) throws IOException {
        Dataset train = load(dir, name + " train", "train");
        Dataset test = load(dir, name + " test", "t10k");
        if (!Arrays.equals(train.exampleShape(), test.exampleShape())) {
            throw new IOException(dir + ": training images are " + Arrays.toString(train.exampleShape())
                    + " but test images are " + Arrays.toString(test.exampleShape()));
        }
        return new Splits(train, test);
    }

    /** Whether {@code dir} holds all four files (raw or gzipped). */
    public static boolean present(Path dir) {
        return missing(dir).isEmpty();
    }

    /** The standard names of the files {@code dir} lacks. */
    public static List<String> missing(Path dir) {
        List<String> out = new ArrayList<>();
        for (String f : FILES) {
            if (find(dir, f) == null) {
                out.add(f);
            }
        }
        return out;
    }

    private static Dataset load(Path dir, String name, String prefix) throws IOException {
        Path imagesFile = require(dir, prefix + "-images-idx3-ubyte");
        Path labelsFile = require(dir, prefix + "-labels-idx1-ubyte");
        Idx.Contents images = Idx.read(imagesFile);
        Idx.Contents labels = Idx.read(labelsFile);
        if (images.shape().length != 3) {
            throw new IdxFormatException(imagesFile, 3, "images need 3 dimensions (count, rows, columns), the file has "
                    + images.shape().length);
        }
        if (labels.shape().length != 1) {
            throw new IdxFormatException(labelsFile, 3, "labels need 1 dimension, the file has " + labels.shape().length);
        }
        if (images.count() != labels.count()) {
            throw new IdxFormatException(labelsFile, 4, labels.count() + " labels for " + images.count() + " images in "
                    + imagesFile.getFileName());
        }
        int[] y = new int[labels.count()];
        for (int i = 0; i < y.length; i++) {
            float v = labels.values()[i];
            if (v < 0 || v >= CLASSES || v != Math.rint(v)) {
                throw new IdxFormatException(labelsFile, 8 + i, "label " + v + " of example " + i + " is not a class 0–9");
            }
            y[i] = (int) v;
        }
        float[] x = images.values();
        for (int i = 0; i < x.length; i++) {
            x[i] /= 255f;
        }
        return new Dataset(name, x, new int[] {images.shape()[1], images.shape()[2]}, y, CLASSES);
    }

    private static Path require(Path dir, String base) throws IOException {
        Path p = find(dir, base);
        if (p == null) {
            throw new java.nio.file.NoSuchFileException(dir.resolve(base) + " (nor " + base + ".gz)");
        }
        return p;
    }

    /** The file for a standard name: as is, gzipped, or with the common {@code .idx3-ubyte} spelling. */
    static Path find(Path dir, String base) {
        String dotted = base.replaceFirst("-(idx\\d)", ".$1");
        for (String candidate : List.of(base, base + ".gz", dotted, dotted + ".gz")) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
