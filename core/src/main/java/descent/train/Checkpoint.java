package descent.train;

import descent.io.SafeTensors;
import descent.optim.Averaging;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole state of a training run in one safetensors file, written atomically (temporary file,
 * then rename), so a crash leaves the previous checkpoint intact. Tensors: {@code model/NAME} (the
 * model's state dict), {@code optimizer/NAME} (the optimizer's, with its step count) and whatever
 * callbacks save, and with iterate averaging {@code averaging/NAME} (the average). Metadata: the
 * format, seed, epoch and step, every generator's state, the reason training stopped (if it did),
 * the metric history as CSV, the averaging spec with its counters, and callbacks' text state.
 *
 * <p>A checkpoint written inside an epoch ({@link CheckpointInterval}) also records the position
 * in it: {@code epoch.batches} taken, the sums behind the epoch's training loss and accuracy so
 * far, and the seconds spent; its order and augmentation generator states are those of the
 * epoch's start (see {@link Trainer#generatorStates()}). Such a file is format 2, which older
 * versions refuse instead of resuming it from the wrong place; one written between epochs is
 * still format 1.
 */
public final class Checkpoint {

    private static final String FAMILY = "descent-checkpoint-";
    /** Version 1 since the first checkpoints; the optimizer redesign kept every key, so its files still load. */
    static final String FORMAT = FAMILY + "1";
    /** Version 2: a position inside an epoch. */
    static final String MID_EPOCH_FORMAT = FAMILY + "2";

    private Checkpoint() {}

    static void write(Path file, Trainer t) throws IOException {
        Map<String, NdArray> tensors = new LinkedHashMap<>();
        t.model().stateDict().forEach((k, v) -> tensors.put("model/" + k, v));
        t.optimizer().stateDict().forEach((k, v) -> tensors.put("optimizer/" + k, v));
        Map<String, String> text = new LinkedHashMap<>();
        Trainer.EpochProgress inEpoch = t.inEpoch();
        text.put("format", inEpoch.batches() > 0 ? MID_EPOCH_FORMAT : FORMAT);
        text.put("seed", Long.toString(t.setup().seed()));
        text.put("epoch", Integer.toString(t.epoch()));
        text.put("step", Long.toString(t.step()));
        if (inEpoch.batches() > 0) {
            text.put("epoch.batches", Integer.toString(inEpoch.batches()));
            text.put("epoch.loss_sum", Double.toString(inEpoch.lossSum())); // shortest exact form: round-trips
            text.put("epoch.correct", Long.toString(inEpoch.correct()));
            text.put("epoch.examples", Integer.toString(inEpoch.examples()));
            text.put("epoch.seconds", Double.toString(inEpoch.seconds()));
        }
        t.generatorStates().forEach((name, state) -> text.put("rng." + name, Long.toUnsignedString(state, 16)));
        if (t.stopReason() != null) {
            text.put("stop_reason", t.stopReason());
        }
        text.put("history", EpochMetrics.csv(t.history()));
        Averaging a = t.averaging();
        if (a != null) {
            text.put("averaging", a.spec().toString());
            text.put("averaging.updates", Long.toString(a.updates()));
            text.put("averaging.averaged", Long.toString(a.averaged()));
            a.averages().forEach((k, v) -> tensors.put("averaging/" + k, v));
        }
        for (Callback c : t.setup().callbacks()) {
            c.saveState(tensors, text);
        }
        SafeTensors.save(file, tensors, text);
    }

    static void restore(Path file, Trainer t) throws IOException {
        naming(file, () -> restoreState(file, t));
    }

    /** What in a checkpoint can be wrong, once it is a valid safetensors file: values the run cannot take. */
    interface Restoring {
        void run() throws IOException;
    }

    /**
     * Runs {@code restoring}, naming {@code file} in a refusal that does not name it (a state dict,
     * a callback's state or a metric row the run cannot take), and saying what a malformed number is.
     */
    static void naming(Path file, Restoring restoring) throws IOException {
        try {
            restoring.run();
        } catch (NumberFormatException e) {
            throw new IOException(file + ": a number in the checkpoint's metadata is missing or malformed ("
                    + e.getMessage() + ")", e);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
                throw e;
            }
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static void restoreState(Path file, Trainer t) throws IOException {
        SafeTensors.Contents c = SafeTensors.load(file);
        Map<String, String> text = c.metadata();
        String format = text.get("format");
        boolean known = FORMAT.equals(format) || MID_EPOCH_FORMAT.equals(format);
        if (format != null && format.startsWith(FAMILY) && !known) {
            throw new IOException(file + ": a checkpoint of format " + format + ", written by another version of "
                    + "Descent; this version reads " + FORMAT + " and " + MID_EPOCH_FORMAT + ". Resume it with the "
                    + "version that wrote it, or start a new run");
        }
        if (!known) {
            throw new IOException(file + ": not a Descent checkpoint (format is " + format + ", expected " + FORMAT + ")");
        }
        long seed = Long.parseLong(text.get("seed"));
        if (seed != t.setup().seed()) {
            throw new IllegalArgumentException(file + " was written by a run with seed " + seed + ", this run has seed "
                    + t.setup().seed() + "; resuming would not continue that run");
        }
        t.model().loadStateDict(prefixed(c.tensors(), "model/"), true);
        t.optimizer().loadStateDict(prefixed(c.tensors(), "optimizer/"));
        for (var e : t.generators().entrySet()) {
            String s = text.get("rng." + e.getKey());
            if (s == null) {
                throw new IOException(file + ": no state for the " + e.getKey() + " generator");
            }
            e.getValue().setState(Long.parseUnsignedLong(s, 16));
        }
        List<EpochMetrics> history = EpochMetrics.parseCsvTable(text.getOrDefault("history", ""));
        restoreAveraging(file, c, t.averaging());
        for (Callback cb : t.setup().callbacks()) {
            cb.loadState(c.tensors(), text);
        }
        Trainer.EpochProgress inEpoch = MID_EPOCH_FORMAT.equals(format) ? new Trainer.EpochProgress(
                Integer.parseInt(text.get("epoch.batches")), Double.parseDouble(text.get("epoch.loss_sum")),
                Long.parseLong(text.get("epoch.correct")), Integer.parseInt(text.get("epoch.examples")),
                Double.parseDouble(text.get("epoch.seconds"))) : Trainer.EpochProgress.NONE;
        t.restoreProgress(Integer.parseInt(text.get("epoch")), Long.parseLong(text.get("step")), text.get("stop_reason"),
                history, inEpoch);
    }

    private static void restoreAveraging(Path file, SafeTensors.Contents c, Averaging a) {
        String saved = c.metadata().get("averaging");
        String wanted = a == null ? null : a.spec().toString();
        if (!java.util.Objects.equals(saved, wanted)) {
            throw new IllegalArgumentException(file + " was written by a run " + (saved == null ? "without iterate "
                    + "averaging" : "averaging " + saved) + ", this run " + (wanted == null ? "has none" : "averages "
                    + wanted) + "; resuming would not continue that run (resume with the same options)");
        }
        if (a != null) {
            a.restore(Long.parseLong(c.metadata().get("averaging.updates")),
                    Long.parseLong(c.metadata().get("averaging.averaged")), prefixed(c.tensors(), "averaging/"));
        }
    }

    /** The tensors whose names start with {@code prefix}, by the rest of their names. */
    static Map<String, NdArray> prefixed(Map<String, NdArray> all, String prefix) {
        Map<String, NdArray> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
