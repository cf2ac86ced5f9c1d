package descent.cli;

import descent.io.SafeTensors;
import descent.nn.Classifier;
import descent.nn.StateDictException;
import descent.nn.Transfer;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code train --init-from RUN_DIR}: a run that starts from a finished run's weights (transfer
 * learning, fine-tuning). The network is the saved run's: its hidden sizes, activation, batch norm
 * and, unless {@code --renormalize}, its input normalization are taken from its config.json, and
 * an option that names another value is refused with both (the same value may be given). Dropout
 * and batch norm's running-statistics convention are the saved run's unless given; a given
 * {@code --dropout} may change the probability but not add or remove the dropout layers, which
 * shift the layers' names. What only shapes training (the optimizer, epochs, the data set, the
 * initializer of a new layer) is this run's own. The output
 * layer starts afresh, drawn from this run's seed, when the number of classes differs or
 * {@code --new-head} asks; a resumed run takes everything from its checkpoint and does not read
 * the saved run again.
 */
final class InitFrom {

    private InitFrom() {}

    /** Refuses the options that only mean something with {@code --init-from}. */
    static void refuseWithout(TrainOptions o) {
        if (o.initFrom == null && (o.newHead || o.renormalize)) {
            throw new IllegalArgumentException((o.newHead ? "--new-head" : "--renormalize") + " changes how a saved "
                    + "run's network is taken over: give --init-from RUN_DIR too");
        }
    }

    /**
     * Sets {@code o}'s architecture options to the saved run's; {@code given} holds the options
     * named on the command line, which must agree with it.
     */
    static void adoptArchitecture(TrainOptions o, Set<String> given) throws IOException {
        RunConfig saved = RunConfig.read(o.initFrom.resolve("config.json"));
        agree(o, given, "--hidden", join(o.hidden), join(saved.hidden()));
        o.hidden = saved.hidden();
        agree(o, given, "--activation", o.activation, saved.activation());
        o.activation = saved.activation();
        agree(o, given, "--batchnorm", Boolean.toString(o.batchNorm), Boolean.toString(saved.batchNorm()));
        o.batchNorm = saved.batchNorm();
        if (saved.batchNorm() && o.batchNormConvention == null && o.batchNormMomentum == null) {
            o.batchNormConvention = saved.batchNormConvention();
            o.batchNormMomentum = Double.isNaN(saved.batchNormMomentum()) ? null : saved.batchNormMomentum();
        }
        if (!given.contains("--dropout")) {
            o.dropout = saved.dropout();
            if (o.dropoutForm == null && saved.dropout() > 0) {
                o.dropoutForm = saved.dropoutForm();
            }
        } else if ((o.dropout > 0) != (saved.dropout() > 0)) {
            throw new IllegalArgumentException("--dropout " + o.dropout + " would " + (o.dropout > 0 ? "add dropout "
                    + "layers to" : "remove the dropout layers of") + " the saved run's network (dropout "
                    + saved.dropout() + ", " + o.initFrom.resolve("config.json") + "), shifting its layers' names: "
                    + "--init-from keeps the network; give a probability " + (saved.dropout() > 0 ? "above 0" : "of 0"));
        }
        if (OptimizerNames.FULL_BATCH_TRAINING.contains(o.optimizer.toLowerCase(java.util.Locale.ROOT))
                && (saved.batchNorm() || saved.dropout() > 0)) {
            throw new IllegalArgumentException("the saved run's network has " + (saved.batchNorm() ? "batch norm"
                    : "dropout") + " layers, which " + o.optimizer + " cannot train (it minimizes the loss over the "
                    + "whole training set in evaluation mode): fine-tune it with a minibatch optimizer ("
                    + String.join(", ", OptimizerNames.FIRST_ORDER) + ")");
        }
        if (!o.renormalize) {
            if (given.contains("--normalize") && !o.normalization.equals(saved.normalization())) {
                throw new IllegalArgumentException("--normalize " + o.normalization + " differs from the saved run's "
                        + "normalization " + saved.normalization() + " (" + o.initFrom.resolve("config.json") + "), whose "
                        + "fitted statistics --init-from keeps; give --renormalize to fit " + o.normalization
                        + " normalization on this training set instead");
            }
            o.normalization = saved.normalization();
        }
    }

    private static void agree(TrainOptions o, Set<String> given, String option, String asked, String saved) {
        if (given.contains(option) && !Objects.equals(asked, saved)) {
            throw new IllegalArgumentException(option + " " + asked + " differs from the saved run's " + saved + " ("
                    + o.initFrom.resolve("config.json") + "): --init-from takes the network from the saved run; leave "
                    + option + " out, or give the saved value");
        }
    }

    private static String join(int[] sizes) {
        return Arrays.stream(sizes).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /**
     * Loads the saved run's weights into {@code model} (built from {@code c}, so of the same
     * architecture), except into a new output layer and, with {@code --renormalize}, the freshly
     * fitted normalization; returns a line saying what was taken.
     */
    static String load(RunConfig c, Classifier model) throws IOException {
        Path dir = Path.of(c.initFrom());
        Path weights = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new IOException(weights + " does not exist: --init-from needs a finished run (train writes "
                    + "model.safetensors at its end; resume the run first with --resume " + dir + ")");
        }
        Map<String, NdArray> state = SafeTensors.loadTensors(weights);
        String head = Transfer.outputLayer(model);
        NdArray savedHead = state.get(head + ".weight");
        int classes = model.parameter(head + ".weight").dim(0);
        boolean otherClasses = savedHead != null && savedHead.rank() == 2 && savedHead.dim(0) != classes;
        List<String> fresh = new ArrayList<>();
        if (c.newHead() || otherClasses) {
            fresh.add(head);
        }
        if (c.renormalize()) {
            fresh.add("normalize");
        }
        try {
            Transfer.load(model, state, fresh);
        } catch (StateDictException e) {
            throw new IllegalArgumentException("the model in " + weights + " does not fit this run's network: "
                    + e.getMessage().strip());
        }
        StringBuilder sb = new StringBuilder("starting from the weights of ").append(dir);
        if (fresh.contains(head)) {
            sb.append("; a new output layer ").append(head).append(otherClasses ? " (the saved run has "
                    + savedHead.dim(0) + " classes, this data set " + classes + ")" : " (--new-head)");
        }
        sb.append(c.renormalize() ? "; input normalization fitted on this training set" : "; the saved run's input "
                + "normalization");
        return sb.toString();
    }
}
