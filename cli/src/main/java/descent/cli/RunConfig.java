package descent.cli;

import descent.autograd.Tensor;
import descent.data.Dataset;
import descent.data.Samplers;
import descent.init.Init;
import descent.io.Json;
import descent.nn.Activation;
import descent.nn.BatchNorm1d;
import descent.nn.Classifier;
import descent.nn.Dropout;
import descent.nn.DataDependentInit;
import descent.nn.Mlp;
import descent.nn.Standardize;
import descent.optim.Averaging;
import descent.optim.FirstOrder;
import descent.optim.GlobalRule;
import descent.optim.GlobalRules;
import descent.optim.Optimizer;
import descent.tensor.DType;
import descent.train.GreedyPretraining;
import descent.train.AuxiliaryHeads;
import descent.train.CheckpointInterval;
import descent.train.OnNonFinite;
import descent.train.SplitMix64;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Every setting of a training run, as written to the run's {@code config.json}: enough to rebuild
 * the model for {@code evaluate} and the whole run for {@code --resume}.
 */
public record RunConfig(String dataset, int[] hidden, String activation, String init, int initFromData, boolean batchNorm,
                        String batchNormConvention, double batchNormMomentum, double dropout, String dropoutForm,
                 String normalization, String optimizer, Map<String, String> hyperparameters, int batchSize,
                 int epochs, String augment, int earlyStopping, double minDelta, double valSplit, String curriculum,
                 double clipGradNorm, int accumulate, boolean decayAll, int probes, String average, String pretrain,
                        String auxHeads, String initFrom, String freeze, boolean newHead, boolean renormalize,
                        long checkpointEvery, double checkpointMinutes, String onNonFinite, int limit,
                        long seed, int threads) {

    /** What a non-finite step does ({@code --on-nonfinite}): stop, skip-step or rollback. */
    public OnNonFinite nonFinite() {
        return OnNonFinite.of(onNonFinite);
    }

    /** The iterate averaging of {@code --average} ({@link Averaging.Spec#parse its form}), or null when off. */
    public Averaging.Spec averaging() {
        return average == null ? null : Averaging.Spec.parse(average);
    }

    /**
     * The greedy layer-wise pretraining of {@code --pretrain} ({@link GreedyPretraining.Settings#parse its
     * form}), or null when off.
     */
    public GreedyPretraining.Settings pretraining() {
        return pretrain == null ? null : GreedyPretraining.Settings.parse(pretrain);
    }

    /** When the run checkpoints inside its epochs too ({@code --checkpoint-every}, {@code --checkpoint-minutes}). */
    public CheckpointInterval checkpointInterval() {
        return new CheckpointInterval(checkpointEvery, checkpointMinutes);
    }

    /** The auxiliary heads of {@code --aux-heads}, or none. */
    public List<AuxiliaryHeads.Spec> auxiliaryHeads() {
        return auxHeads == null ? List.of() : AuxiliaryHeads.Spec.parse(auxHeads);
    }

    /** The modules {@code --freeze} names, or none. */
    public List<String> frozen() {
        return freeze == null ? List.of() : List.of(freeze.split(","));
    }

    /** Builds the model for a training set: normalization fitted on it, weights drawn from the seed. */
    public Classifier model(Dataset train) {
        Dataset.Moments m = normalization(train);
        return model(train.featureSize(), train.classes(), m.mean(), m.std());
    }

    /**
     * With {@code initFromData} &gt; 0, rescales the model's Linear layers until each one's output has
     * unit std on that many training examples (all of them if fewer) drawn with the seed
     * ({@link DataDependentInit}); null when it is off. Run on a fresh model only: a resumed run's
     * weights come from its checkpoint.
     */
    public DataDependentInit.Report initializeFromData(Classifier model, Dataset train) {
        if (initFromData == 0) {
            return null;
        }
        int[] order = Samplers.permutation(train.size(), SplitMix64.derive(seed, "init from data"));
        Tensor inputs = Tensor.of(train.batch(Arrays.copyOf(order, Math.min(initFromData, order.length))).inputs());
        return DataDependentInit.apply(model, inputs, DataDependentInit.Settings.unitStd());
    }

    /**
     * How batch norm's running statistics follow the batches: {@code pytorch} (momentum, default
     * 0.1, weighs the new batch), {@code keras} (momentum, default 0.99, weighs the old value) or
     * {@code cumulative} (the plain average of all batches, PyTorch's momentum=None) or {@code notes}
     * (the notes' EMA: δ, default 0.1, weighs the new batch, biased variance, starting at the first
     * batch's statistics).
     */
    public BatchNorm1d.Momentum batchNormRunningStatistics() {
        return switch (batchNormConvention) {
            case "pytorch" -> BatchNorm1d.Momentum.pytorch(Double.isNaN(batchNormMomentum) ? 0.1 : batchNormMomentum);
            case "keras" -> BatchNorm1d.Momentum.keras(Double.isNaN(batchNormMomentum) ? 0.99 : batchNormMomentum);
            case "cumulative" -> {
                if (!Double.isNaN(batchNormMomentum)) {
                    throw new IllegalArgumentException("--batchnorm-convention cumulative averages every batch alike: "
                            + "it takes no --batchnorm-momentum");
                }
                yield BatchNorm1d.Momentum.cumulativeAverage();
            }
            case "notes" -> BatchNorm1d.Momentum.notes(Double.isNaN(batchNormMomentum) ? 0.1 : batchNormMomentum);
            default -> throw new IllegalArgumentException("--batchnorm-convention must be pytorch, keras, cumulative "
                    + "or notes, got " + batchNormConvention);
        };
    }

    /**
     * Where dropout's correction goes: {@code inverted} (survivors scaled by 1/(1 − p) in training)
     * or {@code scale-at-test} (the lecture's form: outputs scaled by 1 − p in evaluation).
     */
    public Dropout.Form dropoutFormValue() {
        return switch (dropoutForm) {
            case "inverted" -> Dropout.Form.INVERTED;
            case "scale-at-test" -> Dropout.Form.SCALE_AT_TEST;
            default -> throw new IllegalArgumentException("--dropout-form must be inverted or scale-at-test, got "
                    + dropoutForm);
        };
    }

    /** The input normalization fitted on a training set (mean 0 and std 1 for none). */
    public Dataset.Moments normalization(Dataset train) {
        return normalization.equals("none") ? new Dataset.Moments(new float[] {0f}, new float[] {1f})
                : train.moments(normalization.equals("per-feature"));
    }

    /**
     * The configured first-order method over {@code params}, after gradient accumulation and
     * global-norm clipping (of the accumulated mean) where set; a schedule named without its length
     * ("cosine") runs over {@code totalSteps}. Weight decay applies to the weights (rank ≥ 2) and
     * leaves biases and normalization parameters alone, unless {@code decayAll}.
     */
    public Optimizer optimizer(Map<String, Tensor> params, long totalSteps) {
        FirstOrder method = method(totalSteps);
        List<Optimizer.Group> groups = method.weightDecay() == 0 || decayAll
                ? List.of(new Optimizer.Group(params, method.rule()))
                : Optimizer.splitByRank(params, method.rule(), method.withWeightDecay(0).rule());
        List<GlobalRule<?>> global = new ArrayList<>();
        if (accumulate > 1) {
            global.add(GlobalRules.accumulate(accumulate));
        }
        if (clipGradNorm > 0) {
            global.add(GlobalRules.clipByGlobalNorm(clipGradNorm));
        }
        return new Optimizer(groups, global);
    }

    /** The parameters that {@link #optimizer} decays. */
    public Set<String> decayedParameters(Map<String, Tensor> params) {
        Set<String> out = new LinkedHashSet<>();
        if (method(1).weightDecay() > 0) {
            params.forEach((name, t) -> {
                if (decayAll || t.rank() >= 2) {
                    out.add(name);
                }
            });
        }
        return out;
    }

    private FirstOrder method(long totalSteps) {
        Map<String, String> hv = new LinkedHashMap<>(hyperparameters);
        hv.computeIfPresent("schedule", (k, s) -> withDefaultLength(s, totalSteps));
        return OptimizerNames.firstOrder(optimizer, new Hyperparameters(hv));
    }

    /** A schedule named without its length runs over the whole training: "cosine" becomes cosine:STEPS. */
    static String withDefaultLength(String schedule, long totalSteps) {
        String[] parts = schedule.split("\\+", 2);
        String head = switch (parts[0]) {
            case "cosine", "polynomial" -> parts[0] + ":" + totalSteps;
            default -> parts[0];
        };
        return parts.length == 2 ? head + "+" + parts[1] : head;
    }

    /** The model with the given normalization statistics (fitted, or read from a saved model). */
    public Classifier model(int inputs, int classes, float[] mean, float[] std) {
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = inputs;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = classes;
        Activation act = Activation.parse(activation);
        Mlp.Spec spec = Mlp.Spec.of(sizes).withActivation(act).withBatchNorm(batchNorm).withDropout(dropout)
                .withBatchNormMomentum(batchNormRunningStatistics()).withDropoutForm(dropoutFormValue());
        if (!init.equals("default")) {
            spec = spec.withInit(Init.parse(init, act.gain()));
        }
        Mlp body = new Mlp(spec, SplitMix64.derive(seed, "weights"));
        return new Classifier(new Standardize(mean, std, DType.FLOAT32), body);
    }

    public String toJson() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("dataset", Json.quote(dataset));
        f.put("hidden", Arrays.toString(hidden));
        f.put("activation", Json.quote(activation));
        f.put("init", Json.quote(init));
        if (initFromData > 0) { // written only when used, as the settings after clip_grad_norm
            f.put("init_from_data", Integer.toString(initFromData));
        }
        f.put("batchnorm", Boolean.toString(batchNorm));
        f.put("dropout", Double.toString(dropout));
        if (!dropoutForm.equals("inverted")) { // newer than the format: written only when used
            f.put("dropout_form", Json.quote(dropoutForm));
        }
        f.put("normalization", Json.quote(normalization));
        f.put("optimizer", Json.quote(optimizer));
        StringBuilder h = new StringBuilder("{");
        hyperparameters.forEach((k, v) -> h.append(h.length() > 1 ? ", " : "").append(Json.quote(k)).append(": ")
                .append(Json.quote(v)));
        f.put("hyperparameters", h.append('}').toString());
        f.put("batch_size", Integer.toString(batchSize));
        f.put("epochs", Integer.toString(epochs));
        f.put("augment", augment == null ? "null" : Json.quote(augment));
        f.put("early_stopping", Integer.toString(earlyStopping));
        f.put("min_delta", Double.toString(minDelta));
        f.put("val_split", Double.toString(valSplit));
        f.put("curriculum", curriculum == null ? "null" : Json.quote(curriculum));
        f.put("clip_grad_norm", Double.toString(clipGradNorm));
        // Settings newer than the format are written only when used, so older runs read the same.
        if (accumulate != 1) {
            f.put("accumulate", Integer.toString(accumulate));
        }
        if (decayAll) {
            f.put("decay_all", "true");
        }
        if (!batchNormConvention.equals("pytorch") || !Double.isNaN(batchNormMomentum)) {
            f.put("batchnorm_convention", Json.quote(batchNormConvention));
            f.put("batchnorm_momentum", Double.isNaN(batchNormMomentum) ? "null" : Double.toString(batchNormMomentum));
        }
        if (probes > 0) {
            f.put("probes", Integer.toString(probes));
        }
        if (average != null) {
            f.put("average", Json.quote(average));
        }
        if (pretrain != null) {
            f.put("pretrain", Json.quote(pretrain));
        }
        if (auxHeads != null) {
            f.put("aux_heads", Json.quote(auxHeads));
        }
        if (initFrom != null) {
            f.put("init_from", Json.quote(initFrom));
        }
        if (freeze != null) {
            f.put("freeze", Json.quote(freeze));
        }
        if (newHead) {
            f.put("new_head", "true");
        }
        if (renormalize) {
            f.put("renormalize", "true");
        }
        if (checkpointEvery > 0) {
            f.put("checkpoint_every", Long.toString(checkpointEvery));
        }
        if (checkpointMinutes > 0) {
            f.put("checkpoint_minutes", Double.toString(checkpointMinutes));
        }
        if (!onNonFinite.equals("stop")) {
            f.put("on_nonfinite", Json.quote(onNonFinite));
        }
        f.put("limit", Integer.toString(limit));
        f.put("seed", Long.toString(seed));
        f.put("threads", Integer.toString(threads));
        StringBuilder sb = new StringBuilder("{\n");
        f.forEach((k, v) -> sb.append(sb.length() > 2 ? ",\n" : "").append("  ").append(Json.quote(k)).append(": ").append(v));
        return sb.append("\n}\n").toString();
    }

    public static RunConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist: not a run folder written by ./descent train");
        }
        String json;
        try {
            json = Files.readString(file);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text, so not a config.json written by ./descent train", e);
        }
        RunConfig c = parse(json, file.toString());
        try {
            c.check();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return c;
    }

    /**
     * Refuses what a damaged or hand-edited config.json may hold and no run can take (train's
     * options refuse it before writing): a missing name, a layer of no units, a setting whose form
     * does not parse. Checked when a run folder is read, so the error names the file.
     */
    void check() {
        String[][] required = {{"dataset", dataset}, {"activation", activation}, {"init", init},
            {"normalization", normalization}, {"optimizer", optimizer}};
        for (String[] r : required) {
            if (r[1] == null) {
                throw new IllegalArgumentException("the setting " + r[0] + " is missing");
            }
        }
        for (int h : hidden) {
            if (h < 1) {
                throw new IllegalArgumentException("hidden layer sizes must be positive, got " + Arrays.toString(hidden));
            }
        }
        if (batchSize < 1 || epochs < 1) {
            throw new IllegalArgumentException("batch_size and epochs must be at least 1, got " + batchSize + " and "
                    + epochs);
        }
        Activation act = Activation.parse(activation);
        if (!init.equals("default")) {
            Init.parse(init, act.gain());
        }
        int[] sizes = new int[hidden.length + 2];
        Arrays.fill(sizes, 1);
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        Mlp.Spec.of(sizes).withActivation(act).withBatchNorm(batchNorm).withDropout(dropout)
                .withBatchNormMomentum(batchNormRunningStatistics()).withDropoutForm(dropoutFormValue());
        OptimizerNames.requireTrainable(optimizer);
        if (OptimizerNames.FULL_BATCH_TRAINING.contains(optimizer)) {
            OptimizerNames.minimizer(optimizer, new Hyperparameters(hyperparameters),
                    Map.of("w", Tensor.param(descent.tensor.NdArray.zeros(DType.FLOAT64, 1))));
        } else {
            method(1);
        }
        if (augment != null) {
            descent.data.Augmentation.parse(augment, new int[] {28, 28});
        }
        if (curriculum != null) {
            descent.data.Curriculum.Pacing.parse(curriculum);
        }
        averaging();
        pretraining();
        auxiliaryHeads();
        batchNormRunningStatistics();
        dropoutFormValue();
    }

    /** The settings in {@link #toJson()}'s form; {@code source} names where they came from in errors. */
    public static RunConfig parse(String json, String source) throws IOException {
        Object parsed = Json.read(json, source);
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new IOException(source + ": expected a JSON object");
        }
        try {
            Map<String, String> hyper = new LinkedHashMap<>();
            ((Map<?, ?>) m.get("hyperparameters")).forEach((k, v) -> hyper.put((String) k, (String) v));
            int[] hidden = ((List<?>) m.get("hidden")).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
            return new RunConfig((String) m.get("dataset"), hidden, (String) m.get("activation"), (String) m.get("init"),
                    m.containsKey("init_from_data") ? (int) num(m, "init_from_data") : 0, (Boolean) m.get("batchnorm"),
                    m.get("batchnorm_convention") instanceof String bc ? bc : "pytorch",
                    m.get("batchnorm_momentum") instanceof Number bm ? bm.doubleValue() : Double.NaN, num(m, "dropout"),
                    m.get("dropout_form") instanceof String df ? df : "inverted", (String) m.get("normalization"),
                    (String) m.get("optimizer"), hyper, (int) num(m, "batch_size"), (int) num(m, "epochs"),
                    (String) m.get("augment"), (int) num(m, "early_stopping"), num(m, "min_delta"), num(m, "val_split"),
                    (String) m.get("curriculum"), num(m, "clip_grad_norm"),
                    m.containsKey("accumulate") ? (int) num(m, "accumulate") : 1, Boolean.TRUE.equals(m.get("decay_all")),
                    m.containsKey("probes") ? (int) num(m, "probes") : 0, (String) m.get("average"), (String) m.get("pretrain"),
                    (String) m.get("aux_heads"), (String) m.get("init_from"), (String) m.get("freeze"),
                    Boolean.TRUE.equals(m.get("new_head")), Boolean.TRUE.equals(m.get("renormalize")),
                    m.containsKey("checkpoint_every") ? ((Number) m.get("checkpoint_every")).longValue() : 0,
                    m.containsKey("checkpoint_minutes") ? num(m, "checkpoint_minutes") : 0,
                    m.get("on_nonfinite") instanceof String nf ? nf : "stop",
                    (int) num(m, "limit"),
                    ((Number) m.get("seed")).longValue(), (int) num(m, "threads"));
        } catch (ClassCastException | NullPointerException e) {
            throw new IOException(source + ": a setting is missing or has the wrong type (" + e.getMessage() + ")");
        }
    }

    private static double num(Map<?, ?> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }
}
