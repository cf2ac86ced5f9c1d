package descent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core's packages depend only on layers below their own. Every main source file's imports and
 * fully qualified names (comments and literals skipped) are checked against {@link #LAYERS}; a
 * package the table does not place fails the test until someone decides where it belongs.
 */
class LayeringTest {

    /** Bottom to top. A package may use its own level (nn uses init) and every level below it. */
    static final List<List<String>> LAYERS = List.of(
            List.of("descent.kernels"),
            List.of("descent.tensor"),
            List.of("descent.autograd"),
            List.of("descent.nn", "descent.init", "descent.io", "descent.data"),
            List.of("descent.optim"),
            List.of("descent.optim.fullbatch"),
            List.of("descent.diagnostics", "descent.problems"),
            List.of("descent.train"));

    private static final Map<String, Integer> LEVEL = new HashMap<>();

    static {
        for (int i = 0; i < LAYERS.size(); i++) {
            for (String p : LAYERS.get(i)) {
                LEVEL.put(p, i);
            }
        }
    }

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /** A dotted name that starts with {@code descent.}: an import, or a type or member named in full. */
    private static final Pattern NAME = Pattern.compile("(?<![\\w$.])descent(?:\\s*\\.\\s*(?:\\w+|\\*))+");
    private static final Pattern IMPORT = Pattern.compile("import(\\s+static)?\\s*");

    /** One use of another package in the core: where it is, what it names, and the two packages. */
    record Use(String file, int line, String how, String name, String from, String to) {}

    @Test
    void everyPackageUsesOnlyItsOwnLayerAndThoseBelow() throws IOException {
        Path root = sources();
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root.resolve("descent"))) {
            for (Path p : (Iterable<Path>) walk.filter(f -> f.toString().endsWith(".java"))::iterator) {
                files.put(root.relativize(p).toString().replace('\\', '/'), Files.readString(p));
            }
        }
        assertTrue(files.size() > 50, "expected the core's sources under " + root + ", found " + files.size());
        List<String> problems = problems(files);
        assertTrue(problems.isEmpty(), "layering broken:\n  " + String.join("\n  ", problems));
    }

    @Test
    void anUpwardImportNamesTheFileTheImportAndBothLayers() {
        List<String> problems = problems(Map.of("descent/tensor/Bad.java", """
                package descent.tensor;

                import descent.kernels.Kernels;
                import descent.autograd.Tensor;
                """));
        assertEquals(List.of("descent/tensor/Bad.java:4 imports descent.autograd.Tensor, but descent.tensor"
                + " (layer 1) may not use descent.autograd (layer 2, above it)"), problems);
    }

    @Test
    void fullyQualifiedNamesCountButCommentsAndStringsDoNot() {
        List<String> problems = problems(Map.of("descent/kernels/Bad.java", """
                package descent.kernels;

                /** Unlike {@link descent.autograd.Tensor}, "descent.nn.Linear" and '"': */
                final class Bad { // descent.train.Trainer
                    static final String NAME = \"""
                            descent.optim.Optimizer\""";
                    char quote = '"'; String io = "descent.io.Json \\\\" + '\\\\';
                    Object t = new descent.tensor.NdArray[0];
                    int n = descent.nn.Mlp.of(1).size();
                }
                """));
        assertEquals(List.of(
                "descent/kernels/Bad.java:8 refers to descent.tensor.NdArray, but descent.kernels (layer 0) may not"
                        + " use descent.tensor (layer 1, above it)",
                "descent/kernels/Bad.java:9 refers to descent.nn.Mlp.of, but descent.kernels (layer 0) may not"
                        + " use descent.nn (layer 3, above it)"),
                problems);
    }

    @Test
    void theSameLevelAndLevelsBelowAreAllowedAndFullBatchSitsAboveOptim() {
        assertEquals(List.of(), problems(Map.of(
                "descent/nn/Fine.java", "package descent.nn;\nimport descent.init.Init;\nimport static descent.kernels.Parallel.run;\n",
                "descent/optim/fullbatch/Fine.java", "package descent.optim.fullbatch;\nimport descent.optim.*;\n")));
        assertEquals(List.of("descent/optim/Up.java:2 imports descent.optim.fullbatch.Lbfgs, but descent.optim"
                        + " (layer 4) may not use descent.optim.fullbatch (layer 5, above it)"),
                problems(Map.of("descent/optim/Up.java", "package descent.optim;\nimport descent.optim.fullbatch.Lbfgs;\n")));
    }

    @Test
    void aPackageTheTableDoesNotPlaceFailsUntilItIsPlaced() {
        List<String> problems = problems(Map.of(
                "descent/cuda/Gemm.java", "package descent.cuda;\nimport descent.kernels.Kernels;\n",
                "descent/train/Step.java", "package descent.train;\nimport descent.vision.Conv2d;\n"));
        assertEquals(List.of(
                "descent/cuda/Gemm.java is in descent.cuda, which LayeringTest.LAYERS does not place:"
                        + " add the package to the level it belongs to",
                "descent/train/Step.java:2 imports descent.vision.Conv2d, in descent.vision, which"
                        + " LayeringTest.LAYERS does not place: add the package to the level it belongs to"),
                problems);
    }

    /** Every layering problem in these sources (path under src/main/java to text). */
    static List<String> problems(Map<String, String> files) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
            String code = stripCommentsAndLiterals(f.getValue());
            Matcher pm = PACKAGE.matcher(code);
            if (!pm.find()) {
                problems.add(f.getKey() + " declares no package");
                continue;
            }
            String from = pm.group(1);
            if (!LEVEL.containsKey(from)) {
                problems.add(f.getKey() + " is in " + from + ", which LayeringTest.LAYERS does not place:"
                        + " add the package to the level it belongs to");
                continue;
            }
            for (Use u : uses(f.getKey(), code, from, pm.end())) {
                if (!LEVEL.containsKey(u.to())) {
                    problems.add(where(u) + ", in " + u.to() + ", which LayeringTest.LAYERS does not place:"
                            + " add the package to the level it belongs to");
                } else if (LEVEL.get(u.to()) > LEVEL.get(from)) {
                    problems.add(where(u) + ", but " + from + " (layer " + LEVEL.get(from) + ") may not use " + u.to()
                            + " (layer " + LEVEL.get(u.to()) + ", above it)");
                }
            }
        }
        return problems;
    }

    private static String where(Use u) {
        return u.file() + ":" + u.line() + " " + u.how() + " " + u.name();
    }

    /** Uses of other descent packages after the package declaration, in order. */
    private static List<Use> uses(String file, String code, String from, int start) {
        List<Use> uses = new ArrayList<>();
        Matcher m = NAME.matcher(code);
        m.region(start, code.length());
        while (m.find()) {
            String name = m.group().replaceAll("\\s", "");
            String to = packageOf(name);
            if (to.equals(from)) {
                continue;
            }
            int lineStart = code.lastIndexOf('\n', m.start()) + 1;
            boolean imported = IMPORT.matcher(code.substring(lineStart, m.start()).strip() + " ").matches();
            int line = (int) code.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
            uses.add(new Use(file, line, imported ? "imports" : "refers to", name, from, to));
        }
        return uses;
    }

    /** The package part of a dotted name: the segments before the first that starts upper case. */
    private static String packageOf(String name) {
        String[] parts = name.split("\\.");
        StringBuilder p = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length && !parts[i].equals("*") && Character.isLowerCase(parts[i].charAt(0)); i++) {
            p.append('.').append(parts[i]);
        }
        return p.toString();
    }

    /** The source with comments, string, text-block and char literals blanked; line breaks kept. */
    static String stripCommentsAndLiterals(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        int n = src.length();
        while (i < n) {
            int end;
            if (src.startsWith("//", i)) {
                end = src.indexOf('\n', i);
                end = end < 0 ? n : end;
            } else if (src.startsWith("/*", i)) {
                end = src.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                end = closing(src, i + 3, "\"\"\"");
            } else if (src.charAt(i) == '"' || src.charAt(i) == '\'') {
                end = closing(src, i + 1, String.valueOf(src.charAt(i)));
            } else {
                out.append(src.charAt(i++));
                continue;
            }
            for (; i < end; i++) {
                out.append(src.charAt(i) == '\n' ? '\n' : ' ');
            }
        }
        return out.toString();
    }

    /** The index just past the unescaped {@code quote} that closes a literal whose text starts at i. */
    private static int closing(String src, int i, String quote) {
        while (i < src.length()) {
            if (src.charAt(i) == '\\') {
                i += 2;
            } else if (src.startsWith(quote, i)) {
                return i + quote.length();
            } else {
                i++;
            }
        }
        return src.length();
    }

    /** The core's main sources: under the module's base directory as Maven runs tests, or from the root. */
    private static Path sources() {
        for (Path p : List.of(Path.of(System.getProperty("basedir", "."), "src", "main", "java"),
                Path.of("src", "main", "java"), Path.of("core", "src", "main", "java"))) {
            if (Files.isDirectory(p.resolve("descent"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the core's main sources (src/main/java/descent) from "
                + Path.of("").toAbsolutePath());
    }
}
