package descent.cli.lab;

import descent.data.Mnist;
import descent.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What an experiment works with and writes through: its folder, the seed, the data, and the
 * parts of its page (verdicts, figures, tables, CSV files) in the order they were produced.
 */
public final class Lab {

    /** The MNIST splits, loaded once however many experiments ask. */
    @FunctionalInterface
    public interface Data {
        Mnist.Splits mnist() throws IOException;

        /** The Fashion-MNIST splits, for the experiments that carry what was learned to another data set. */
        default Mnist.Splits fashionMnist() throws IOException {
            throw new IOException("this lab has no Fashion-MNIST");
        }
    }

    /** Draws one PNG into the given file. */
    @FunctionalInterface
    public interface Png {
        void write(Path file) throws IOException;
    }

    record Figure(String file, String caption) {}

    record Table(String caption, List<String> header, List<List<String>> rows) {}

    /** A page part, in order: a figure, a table or a paragraph. */
    sealed interface Part permits FigurePart, TablePart, TextPart {}

    record FigurePart(Figure figure) implements Part {}

    record TablePart(Table table) implements Part {}

    record TextPart(String text) implements Part {}

    private final Experiment experiment;
    private final Path dir;
    private final long seed;
    private final boolean quick;
    private final Data data;
    private final PrintStream log;
    private final List<Verdict> verdicts = new ArrayList<>();
    private final List<Part> parts = new ArrayList<>();
    private final List<String> files = new ArrayList<>();

    public Lab(Experiment experiment, Path dir, long seed, boolean quick, Data data, PrintStream log) throws IOException {
        this.experiment = experiment;
        this.dir = Files.createDirectories(dir);
        this.seed = seed;
        this.quick = quick;
        this.data = data;
        this.log = log;
    }

    public Path dir() {
        return dir;
    }

    public long seed() {
        return seed;
    }

    /** {@code full} normally, {@code small} with --quick (smoke runs: same code, less work). */
    public int size(int full, int small) {
        return quick ? small : full;
    }

    public Mnist.Splits mnist() throws IOException {
        return data.mnist();
    }

    public Mnist.Splits fashionMnist() throws IOException {
        return data.fashionMnist();
    }

    /** Progress for the person waiting. */
    public void log(String format, Object... args) {
        log.printf("  " + format + "%n", args);
    }

    public void csv(String file, Csv csv) throws IOException {
        AtomicFiles.writeString(dir.resolve(file), csv.text());
        files.add(file);
    }

    public void figure(String file, String caption, Png png) throws IOException {
        png.write(dir.resolve(file));
        files.add(file);
        parts.add(new FigurePart(new Figure(file, caption)));
    }

    public void table(String caption, List<String> header, List<List<String>> rows) {
        parts.add(new TablePart(new Table(caption, header, rows)));
    }

    public void text(String paragraph) {
        parts.add(new TextPart(paragraph));
    }

    /** Records and prints a verdict. */
    public Verdict verdict(String claim, String measured, String expected, boolean holds) {
        Verdict v = new Verdict(claim, measured, expected, holds);
        verdicts.add(v);
        log.println(experiment.name() + ": " + v.line());
        return v;
    }

    public List<Verdict> verdicts() {
        return Collections.unmodifiableList(verdicts);
    }

    public String experimentName() {
        return experiment.name();
    }

    Experiment experiment() {
        return experiment;
    }

    List<Part> parts() {
        return Collections.unmodifiableList(parts);
    }

    List<String> files() {
        return Collections.unmodifiableList(files);
    }
}
