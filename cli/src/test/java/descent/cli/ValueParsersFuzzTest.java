package descent.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import descent.autograd.Tensor;
import descent.data.Augmentation;
import descent.data.Curriculum;
import descent.init.Init;
import descent.init.Initializer;
import descent.nn.Mlp;
import descent.optim.Averaging;
import descent.optim.Schedule;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.AuxiliaryHeads;
import descent.train.GreedyPretraining;
import descent.train.SplitMix64;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import picocli.CommandLine;

/**
 * The command-line value parsers on any text: a value the run can use (it is used: an
 * augmentation is applied, a schedule evaluated, an initializer sampled), or an
 * IllegalArgumentException with a message, never another exception, a hang or a huge allocation.
 */
class ValueParsersFuzzTest {

    /** One command line, built once: building it per input would cost more than the parse. */
    private static final TrainCommand COMMAND = new TrainCommand();
    private static final CommandLine TRAIN = new CommandLine(COMMAND);

    /** --augment, then applied to a 6×6 image. */
    @FuzzTest
    void augment(byte[] data) {
        Augmentation a = refusedOr(() -> Augmentation.parse(text(data), new int[] {6, 6}));
        if (a != null) {
            a.apply(new float[36], 0, new SplitMix64(1));
        }
    }

    /** --schedule, then evaluated over its first steps and far out. */
    @FuzzTest
    void schedule(byte[] data) {
        Schedule s = refusedOr(() -> OptimizerNames.schedule(text(data), 0.1));
        for (long step : new long[] {0, 1, 2, 10, 1000, Long.MAX_VALUE / 2, Long.MAX_VALUE}) {
            if (s != null) {
                s.at(step);
            }
        }
    }

    /** --init, then sampled for a 3×5 weight. */
    @FuzzTest
    void init(byte[] data) {
        Initializer i = refusedOr(() -> Init.parse(text(data), Math.sqrt(2)));
        if (i != null) { // sparse:K refuses a shape with fewer than K inputs, a ShapeException that says so
            refusedOr(() -> i.sample(DType.FLOAT32, new SplitMix64(1), 3, 5));
        }
    }

    /** --hidden as picocli reads it, then the network (4 inputs, 3 classes) built where it is small. */
    @FuzzTest
    void hidden(byte[] data) {
        try {
            TRAIN.parseArgs("--hidden", text(data)); // picocli resets every option before each parse
        } catch (CommandLine.PicocliException e) {
            return; // not a list of integers (or an @argument-file that cannot be read): picocli's usage error
        }
        int[] hidden = COMMAND.options.hidden;
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = 4;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = 3;
        long weights = 0;
        for (int k = 1; k < sizes.length; k++) {
            weights += (long) Math.abs((long) sizes[k - 1]) * Math.abs((long) sizes[k]);
        }
        if (weights > 10_000) {
            return; // a network that large is the user's to ask for; building one here would only test the heap
        }
        refusedOr(() -> new Mlp(Mlp.Spec.of(sizes), new SplitMix64(1)));
    }

    /**
     * Optimizer hyper-parameters: the first byte picks the optimizer, then one {@code name=value}
     * per line; OptimizerNames builds the minimizer over two small parameters.
     */
    @FuzzTest
    void hyperparameters(byte[] data) {
        if (data.length == 0) {
            return;
        }
        String name = OptimizerNames.NAMES.get((data[0] & 0xff) % OptimizerNames.NAMES.size());
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text(java.util.Arrays.copyOfRange(data, 1, data.length)).split("\n")) {
            String[] kv = line.split("=", 2);
            values.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w", Tensor.param(NdArray.zeros(DType.FLOAT64, 2, 2)));
        params.put("b", Tensor.param(NdArray.zeros(DType.FLOAT64, 2)));
        refusedOr(() -> OptimizerNames.minimizer(name, new Hyperparameters(values), params));
        if (OptimizerNames.FIRST_ORDER.contains(name)) {
            refusedOr(() -> OptimizerNames.firstOrder(name, new Hyperparameters(values)));
        }
    }

    /** --curriculum's pacing, then evaluated over epochs. */
    @FuzzTest
    void curriculum(byte[] data) {
        Curriculum.Pacing p = refusedOr(() -> Curriculum.Pacing.parse(text(data)));
        for (int e = 0; e < 5 && p != null; e++) {
            p.fraction(e);
        }
    }

    /** --average. */
    @FuzzTest
    void averaging(byte[] data) {
        refusedOr(() -> Averaging.Spec.parse(text(data)));
    }

    /** --pretrain. */
    @FuzzTest
    void pretrain(byte[] data) {
        refusedOr(() -> GreedyPretraining.Settings.parse(text(data)));
    }

    /** --aux-heads. */
    @FuzzTest
    void auxHeads(byte[] data) {
        refusedOr(() -> AuxiliaryHeads.Spec.parse(text(data)));
    }

    private static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }

    /**
     * What {@code parse} gives, or null when it refuses: a refusal must be an
     * IllegalArgumentException that says something. What it gives is then used outside this, where
     * nothing may be thrown.
     */
    private static <T> T refusedOr(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("a refusal without a message", e);
            }
            return null;
        }
    }

    /** The seed corpora: the values the README and the help show (scripts/fuzz.sh --seeds). */
    @Test
    @EnabledIfSystemProperty(named = RunConfigFuzzTest.SEEDS, matches = ".+")
    void writeSeeds() throws IOException {
        seeds("augment", "shift=2,rotation=10,shear=10,scale=0.1,flip,crop=4,elastic=34:4", "none");
        seeds("schedule", "constant", "step:100:0.5", "multistep:10,20:0.1", "exponential:0.99+warmup:10",
                "inverse-time:0.5", "inverse-sqrt:10", "polynomial:100:2:0.001", "cosine:500:0.001",
                "cosine-restarts:100:2:0.0", "piecewise:10,20:0.1,0.01,0.001");
        seeds("init", "default", "kaiming-normal", "xavier-uniform", "lecun-uniform", "sparse:15", "orthogonal");
        seeds("hidden", "256,128", "10", "");
        seeds("hyperparameters", (char) OptimizerNames.NAMES.indexOf("adam") + "lr=0.001\nbeta1=0.9\nschedule=cosine:100",
                (char) OptimizerNames.NAMES.indexOf("sgd") + "lr=0.1\nmomentum=0.9\nnesterov=true",
                (char) OptimizerNames.NAMES.indexOf("lbfgs") + "history=5\nline_search=strong-wolfe");
        seeds("curriculum", "linear:0.2:5", "root:0.1:3", "step:0.25:2");
        seeds("averaging", "polyak", "polyak:100");
        seeds("pretrain", "greedy", "greedy:2", "greedy:3:joint");
        seeds("auxHeads", "1", "1:0.3,2");
    }

    private static void seeds(String method, String... values) throws IOException {
        Path dir = RunConfigFuzzTest.seedFolder(ValueParsersFuzzTest.class, method);
        for (int k = 0; k < values.length; k++) {
            Files.writeString(dir.resolve("seed-" + k), values[k]);
        }
    }
}
