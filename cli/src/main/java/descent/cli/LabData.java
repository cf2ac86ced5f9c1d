package descent.cli;

import descent.cli.lab.Lab;
import descent.data.Mnist;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The lab's data sets, each located as {@code train} locates it ({@link DatasetStore#locate}: the
 * given folder, else the verified user cache) and loaded once, when an experiment first asks.
 */
final class LabData implements Lab.Data {

    private final Path mnistDir;
    private final Path fashionDir;
    private Mnist.Splits mnist;
    private Mnist.Splits fashion;

    /** {@code mnistDir} and {@code fashionDir} are the folders given, or null for the cache. */
    LabData(Path mnistDir, Path fashionDir) {
        this.mnistDir = mnistDir;
        this.fashionDir = fashionDir;
    }

    @Override
    public Mnist.Splits mnist() throws IOException {
        if (mnist == null) {
            mnist = Mnist.load(DatasetStore.locate(DatasetStore.MNIST, mnistDir, System.err), "mnist");
        }
        return mnist;
    }

    @Override
    public Mnist.Splits fashionMnist() throws IOException {
        if (fashion == null) {
            fashion = Mnist.load(DatasetStore.locate(DatasetStore.FASHION_MNIST, fashionDir, System.err), "fashion-mnist");
        }
        return fashion;
    }
}
