package descent.cli;

import descent.data.Augmentation;
import descent.kernels.Parallel;
import descent.optim.Averaging;
import descent.train.GreedyPretraining;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What a training run trains and how: the model, the optimizer with its hyper-parameters, the data
 * and its augmentation, the epochs. The options of {@code train}, and of {@code spark train}, which
 * runs the same configuration on a cluster.
 */
public final class TrainOptions {

    @Option(names = "--dataset", description = "mnist or fashion-mnist (default: ${DEFAULT-VALUE}).")
    String dataset = "mnist";

    @Option(names = "--hidden", split = ",", description = "Hidden layer sizes (default: 256,128).")
    int[] hidden = {256, 128};

    @Option(names = "--activation", description = "relu, leaky-relu[:SLOPE], sigmoid, tanh, gelu, gelu-tanh, softplus, "
            + "identity (default: ${DEFAULT-VALUE}).")
    String activation = "relu";

    @Option(names = "--init", description = "Weight initializer: kaiming-normal, xavier-uniform, lecun-normal, "
            + "normal:C (variance C/fan_in), normal-std:S (standard deviation S), constant:V, sparse:K, orthogonal, ... "
            + "(default: Kaiming normal with the activation's gain).")
    String init = "default";

    @Option(names = "--init-from-data", arity = "0..1", fallbackValue = "512", paramLabel = "BATCH",
            description = "After --init, rescale the Linear layers input side first until each one's output has unit "
                    + "std on BATCH training examples drawn with the seed (LSUV, Mishkin & Matas 2015); alone: 512 (default: off).")
    Integer initFromData;

    @Option(names = "--optimizer", description = "sgd, momentum, nesterov, nesterov-lookahead (the notes' form; the "
            + "weights are the look-ahead point), adam, amsgrad, adamw, adagrad, rmsprop, adadelta on minibatches, or "
            + "lbfgs, cg, bfgs, newton-cg on the whole training set (default: ${DEFAULT-VALUE}). Hyper-parameters by "
            + "PyTorch's names: --lr, --momentum, --beta1, --history, ...")
    String optimizer = "adam";

    @CommandLine.Mixin
    HyperparameterOptions hyper;

    // --schedule (in the mixin) defaults to cosine over the whole run here: "cosine" or "polynomial"
    // without a length last for every step of training.

    @Option(names = "--batch-size", description = "Minibatch size (default: 128).")
    Integer batchSize;

    @Option(names = "--epochs", description = "Epochs; a full-batch method takes one iteration per epoch "
            + "(default: ${DEFAULT-VALUE}).")
    int epochs = 12;

    @Option(names = "--dropout", description = "Dropout probability after each hidden layer (default: 0).")
    double dropout = 0;

    @Option(names = "--dropout-form", description = "Where dropout's correction goes: inverted (survivors scaled by "
            + "1/(1 - p) in training, evaluation untouched) or scale-at-test (the lecture's: masks only in training, "
            + "outputs scaled by the keep probability 1 - p in evaluation) (default: inverted).")
    String dropoutForm;

    @Option(names = "--batchnorm", description = "Batch norm after each hidden Linear layer.")
    boolean batchNorm;

    @Option(names = "--batchnorm-convention", description = "How batch norm's running statistics follow the batches: "
            + "pytorch (momentum weighs the new batch, default 0.1), keras (momentum weighs the old value, default 0.99) "
            + "cumulative (the average of all batches) or notes (the notes' EMA: momentum δ weighs the new batch, "
            + "default 0.1, biased variance, and the averages start at the first batch's mean and variance instead "
            + "of 0 and 1) (default: pytorch).")
    String batchNormConvention;

    @Option(names = "--batchnorm-momentum", description = "Batch norm's momentum in that convention "
            + "(default: pytorch 0.1, keras 0.99, notes 0.1).")
    Double batchNormMomentum;

    @Option(names = "--normalize", description = "Input normalization fitted on the training set: global, per-feature "
            + "or none (default: ${DEFAULT-VALUE}).")
    String normalization = "global";

    @Option(names = "--augment", arity = "0..1", fallbackValue = Augmentation.DEFAULT_SPEC,
            description = "Augment training images: shift=PX,rotation=DEG,shear=DEG,scale=S,flip,crop=PAD,"
                    + "elastic=ALPHA:SIGMA; alone: " + Augmentation.DEFAULT_SPEC + " (default: off).")
    String augment;

    @Option(names = "--early-stopping", paramLabel = "PATIENCE",
            description = "Stop after PATIENCE epochs without improvement of the validation loss and restore the best weights "
                    + "(default: off).")
    int earlyStopping;

    @Option(names = "--min-delta", description = "Early stopping: the least improvement that counts (default: 0).")
    double minDelta;

    @Option(names = "--val-split", description = "Fraction of the training set held out for validation (default: 0, "
            + "or 0.1 with --early-stopping).")
    Double valSplit;

    @Option(names = "--curriculum", paramLabel = "PACING", description = "Easy examples first (difficulty: distance to "
            + "the class mean), the pool widening by linear:START:EPOCHS, root:START:EPOCHS or step:START:EVERY (default: off).")
    String curriculum;

    @Option(names = "--clip-grad-norm", description = "Rescale gradients to at most this global norm (default: off).")
    double clipGradNorm;

    @Option(names = "--accumulate", paramLabel = "K", description = "Accumulate the gradients of K minibatches and take "
            + "one step with their mean: the update of one batch K times larger (default: ${DEFAULT-VALUE}).")
    int accumulate = 1;

    @Option(names = "--decay-all", description = "Weight decay on every parameter; by default it decays the weights "
            + "and leaves biases and normalization parameters alone, as users of AdamW expect.")
    boolean decayAll;

    @Option(names = "--probes", paramLabel = "EVERY", description = "Per-layer activation, gradient and update "
            + "statistics every EVERY steps, into probes.csv and the report (default: off).")
    int probes;

    @Option(names = "--average", paramLabel = "SPEC", description = "Iterate averaging: polyak[:START] (the mean of "
            + "the weights after START optimizer steps, default 0) or ema:DECAY (θ̄ ← DECAY·θ̄ + (1−DECAY)·θ, DECAY in "
            + "(0, 1); it remembers about 1/(1−DECAY) steps, so pick a window well inside the run). Validation and test metrics, early stopping and the saved model use the averaged weights; batch "
            + "norm's running statistics are averaged alike (default: off).")
    String average;

    @Option(names = "--pretrain", paramLabel = "SPEC", description = "Greedy supervised layer-wise pretraining: "
            + "greedy[:EPOCHS_PER_LAYER][:joint] trains hidden layer k for EPOCHS_PER_LAYER epochs (default 1) with a "
            + "temporary output head on the layers below, frozen (joint: trained with it), then --epochs fine-tune the "
            + "whole network. Each stage has a fresh optimizer, its schedule spanning the stage; early stopping and "
            + "--average apply to the fine-tuning (default: off).")
    String pretrain;

    @Option(names = "--aux-heads", paramLabel = "LAYER[:WEIGHT],...", description = "Auxiliary classifiers "
            + "(GoogLeNet's) on intermediate layers, such as layers.3:0.3,layers.7 (module paths as in the state dict, "
            + "'body.' optional; weight 0.3 when left out): a Linear head on each, whose weighted cross-entropy is added "
            + "to the training loss. Validation, test and the saved model are the network's alone (default: none).")
    String auxHeads;

    @Option(names = "--init-from", paramLabel = "RUN_DIR", description = "Start from the weights of a finished run "
            + "(its model.safetensors) and its input normalization. The architecture (--hidden, --activation, "
            + "--batchnorm, --normalize) is the saved run's: an option naming another is refused. The output layer "
            + "starts afresh when the number of classes differs or with --new-head (default: off).")
    java.nio.file.Path initFrom;

    @Option(names = "--freeze", paramLabel = "LAYER,...", description = "Keep these modules' parameters fixed, such as "
            + "layers.0,layers.2 (module paths as in the state dict, 'body.' optional); with --init-from, the saved "
            + "run's weights, without it, the random initial ones (default: none).")
    String freeze;

    @Option(names = "--new-head", description = "With --init-from: a freshly initialized output layer instead of the "
            + "saved run's.")
    boolean newHead;

    @Option(names = "--renormalize", description = "With --init-from: fit the input normalization (--normalize) on this "
            + "run's training set instead of keeping the saved run's.")
    boolean renormalize;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Also write the checkpoint every STEPS "
            + "training steps (minibatches) inside the epochs, so that a crash loses at most that much work; --resume "
            + "continues from the step saved, bit-exactly (default: 0, at the end of each epoch only).")
    long checkpointEvery;

    @Option(names = "--checkpoint-minutes", paramLabel = "M", description = "Also write the checkpoint when M minutes "
            + "have passed since the last one, inside the epochs (default: 0, off).")
    double checkpointMinutes;

    @Option(names = "--on-nonfinite", paramLabel = "ACTION", description = "When a step's loss or a gradient is NaN or "
            + "infinite (the message names the layer, the step and the pass): stop; skip-step (discard that step's "
            + "update and go on, giving up after 3 in a row); or rollback (return to the last checkpoint at half the "
            + "learning rate, at most 3 times, then stop) (default: ${DEFAULT-VALUE}).")
    String onNonFinite = "stop";

    @Option(names = "--limit", description = "Train on only the first N training examples (default: all).")
    int limit;

    /** The run's settings, with the seed and thread count of {@code common}; bad combinations are refused. */
    public RunConfig config(RunOptions common) {
        String method = optimizer.toLowerCase(Locale.ROOT);
        OptimizerNames.requireTrainable(method);
        if (OptimizerNames.FULL_BATCH_TRAINING.contains(method)) {
            refuseMinibatchOptions(method);
            if (auxHeads != null) {
                throw new IllegalArgumentException("--aux-heads trains heads beside the network with the minibatch "
                        + "trainer; " + method + " minimizes the network's own loss over the whole training set. Leave "
                        + "--aux-heads out, or use a minibatch optimizer (" + String.join(", ", OptimizerNames.FIRST_ORDER)
                        + ")");
            }
        }
        Map<String, String> h = new LinkedHashMap<>(hyper.values());
        // Cosine over the whole run unless a schedule is named (--schedule constant turns it off) or
        // AdaGrad's own decay lr/(1 + t·lr_decay) is asked for; full-batch methods take no schedule.
        if (OptimizerNames.FIRST_ORDER.contains(optimizer.toLowerCase(Locale.ROOT)) && !h.containsKey("lr_decay")) {
            h.putIfAbsent("schedule", "cosine");
        }
        if ((batchNormConvention != null || batchNormMomentum != null) && !batchNorm) {
            throw new IllegalArgumentException("--batchnorm-convention and --batchnorm-momentum set batch norm's running "
                    + "statistics: give --batchnorm too");
        }
        if (dropoutForm != null && dropout == 0) {
            throw new IllegalArgumentException("--dropout-form says where dropout's 1/(1 - p) correction goes: give "
                    + "--dropout P too");
        }
        if (probes < 0) {
            throw new IllegalArgumentException("--probes takes a number of steps, at least 1 (0: off), got " + probes);
        }
        if (initFromData != null && initFromData < 1) {
            throw new IllegalArgumentException("--init-from-data takes the number of training examples to measure the "
                    + "layers on, at least 1 (alone: 512), got " + initFromData);
        }
        if (minDelta != 0 && earlyStopping == 0) {
            throw new IllegalArgumentException("--min-delta is the least improvement early stopping counts: give "
                    + "--early-stopping PATIENCE too, or leave --min-delta out");
        }
        double vs = valSplit != null ? valSplit : earlyStopping > 0 ? 0.1 : 0;
        if (earlyStopping > 0 && vs == 0) {
            throw new IllegalArgumentException("--early-stopping monitors the validation loss: give --val-split > 0");
        }
        if (checkpointEvery < 0 || !(checkpointMinutes >= 0) || Double.isInfinite(checkpointMinutes)) {
            throw new IllegalArgumentException("--checkpoint-every takes a number of steps and --checkpoint-minutes a "
                    + "number of minutes, each positive (0: off), got " + checkpointEvery + " and " + checkpointMinutes);
        }
        if (accumulate < 1) {
            throw new IllegalArgumentException("--accumulate must be at least 1, got " + accumulate);
        }
        InitFrom.refuseWithout(this);
        if (!List.of("global", "per-feature", "none").contains(normalization)) {
            throw new IllegalArgumentException("--normalize must be global, per-feature or none, got " + normalization);
        }
        if (pretrain != null) {
            refuseBesidePretraining();
        }
        if (initFrom != null && initFromData != null) {
            throw new IllegalArgumentException("--init-from-data rescales freshly drawn weights, and --init-from starts "
                    + "from a saved run's trained ones: use one or the other");
        }
        RunConfig c = new RunConfig(DatasetStore.source(dataset).name(), hidden, activation, init,
                initFromData == null ? 0 : initFromData, batchNorm,
                batchNormConvention != null ? batchNormConvention : "pytorch",
                batchNormMomentum != null ? batchNormMomentum : Double.NaN, dropout,
                dropoutForm != null ? dropoutForm : "inverted", normalization,
                method, h, batchSize != null ? batchSize : 128, epochs, augment, earlyStopping, minDelta, vs, curriculum,
                clipGradNorm, accumulate, decayAll, probes, average, pretrain, auxHeads,
                initFrom == null ? null : initFrom.toString(), freeze, newHead, renormalize,
                checkpointEvery, checkpointMinutes, onNonFinite, limit, common.seedOr(1),
                common.threadsOr(Parallel.threads()));
        c.batchNormRunningStatistics(); // refuses a convention it does not know, or a momentum it does not take
        c.dropoutFormValue();
        c.auxiliaryHeads(); // refuses a malformed --aux-heads before the run starts
        try {
            c.nonFinite();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--on-nonfinite " + onNonFinite + ": " + e.getMessage());
        }
        if (average != null) {
            try {
                c.averaging();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--average " + average + ": expected " + Averaging.Spec.FORM);
            }
        }
        return c;
    }

    /** What greedy pretraining cannot honour in its stages is refused, saying why; so is a spec it cannot read. */
    private void refuseBesidePretraining() {
        try {
            GreedyPretraining.Settings.parse(pretrain);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--pretrain " + pretrain + ": expected "
                    + GreedyPretraining.Settings.FORM);
        }
        if (hidden.length == 0) {
            throw new IllegalArgumentException("--pretrain trains the hidden layers one at a time: give --hidden");
        }
        if (curriculum != null) {
            throw new IllegalArgumentException("--curriculum paces one run's epochs, and --pretrain runs a stage per "
                    + "hidden layer, each from its first epoch: use one or the other");
        }
        if (!onNonFinite.equals("stop")) {
            throw new IllegalArgumentException("--on-nonfinite " + onNonFinite + " acts on one trainer's steps and "
                    + "checkpoint, and --pretrain runs a trainer per stage: leave it out with --pretrain");
        }
        if (probes > 0) {
            throw new IllegalArgumentException("--probes watches one model's layers, and --pretrain trains a different "
                    + "model in each stage (the layers so far and a temporary head): use one or the other");
        }
        if (auxHeads != null) {
            throw new IllegalArgumentException("--aux-heads and --pretrain both attach heads to the hidden layers, "
                    + "--pretrain one stage at a time: use one or the other");
        }
        if (initFrom != null || freeze != null) {
            throw new IllegalArgumentException("--pretrain builds the network's weights stage by stage from fresh ones; "
                    + (initFrom != null ? "--init-from starts from a saved run's" : "--freeze keeps some fixed")
                    + ": use one or the other");
        }
    }

    /**
     * A full-batch method minimizes one deterministic function, the mean loss over the whole training
     * set in evaluation mode: what shapes minibatches or makes the loss random would do nothing, or
     * would break its line search, so each is refused.
     */
    private void refuseMinibatchOptions(String method) {
        Map<String, Boolean> given = new LinkedHashMap<>();
        given.put("--batch-size", batchSize != null);
        given.put("--dropout", dropout > 0);
        given.put("--batchnorm", batchNorm);
        given.put("--augment", augment != null);
        given.put("--curriculum", curriculum != null);
        given.put("--accumulate", accumulate != 1);
        given.put("--clip-grad-norm", clipGradNorm > 0);
        given.put("--early-stopping", earlyStopping > 0);
        given.put("--probes", probes > 0);
        given.put("--average", average != null);
        given.put("--pretrain", pretrain != null);
        given.put("--checkpoint-every", checkpointEvery > 0); // one iteration per epoch: checkpointed after each
        given.put("--checkpoint-minutes", checkpointMinutes > 0);
        given.put("--on-nonfinite " + onNonFinite, !onNonFinite.equals("stop")); // a line search already backs off
        given.forEach((option, set) -> {
            if (set) {
                throw new IllegalArgumentException(method + " takes one step on the mean loss over the whole training set "
                        + "(in evaluation mode, so the loss is one deterministic function): " + option + " has no place in "
                        + "it. Leave it out, or use a minibatch optimizer (" + String.join(", ", OptimizerNames.FIRST_ORDER)
                        + ")");
            }
        });
    }

}
