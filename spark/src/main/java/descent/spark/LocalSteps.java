package descent.spark;

import descent.data.Augmentation;
import descent.data.Batch;
import descent.data.Dataset;
import descent.data.Samplers;
import descent.nn.Module;
import descent.optim.Optimizer;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.LossFunction;
import descent.train.SplitMix64;
import descent.train.TrainStep;
import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one partition does in a round of data-parallel training: from the driver's parameters and
 * optimizer state, {@code syncEvery} minibatch steps on its own shard, returning its parameters,
 * its optimizer state and its metrics for the driver to average. Every random choice (the local
 * order of each epoch, augmentation, dropout) is derived from the seed, the round and the
 * partition, so a task that Spark retries or recomputes returns the same bits.
 */
record LocalSteps(ModelFactory model, OptimizerFactory optimizer, int batchSize, int syncEvery, int roundsPerEpoch,
                  long seed, String augment) implements Serializable {

    static final String MODEL = "model/";
    static final String OPTIMIZER = "optimizer/";
    static final String LOSS = "#loss";
    static final String CORRECT = "#correct";
    static final String EXAMPLES = "#examples";

    /** Partition {@code shard}'s steps of {@code round} (0-based, over the whole run) from {@code start}. */
    Packed run(Shard shard, long round, Map<String, NdArray> start) {
        Module m = model.create();
        m.loadStateDict(prefixed(start, MODEL), true);
        Optimizer opt = optimizer.create(m.trainableParameters());
        Map<String, NdArray> optimizerState = prefixed(start, OPTIMIZER);
        if (!optimizerState.isEmpty()) {
            opt.loadStateDict(optimizerState);
        }
        TrainStep step = new TrainStep(m, opt, LossFunction.crossEntropy());
        DType dtype = m.namedParameters().values().iterator().next().dtype();
        Dataset data = shard.dataset();
        int epoch = (int) (round / roundsPerEpoch);
        int[] order = order(seed, epoch, shard);
        SplitMix64 dropout = SplitMix64.derive(seed, "dropout " + round + " " + shard.index());
        SplitMix64 augmentRng = SplitMix64.derive(seed, "augmentation " + round + " " + shard.index());
        Augmentation augmentation = augment == null ? null : Augmentation.parse(augment, data.exampleShape());
        double loss = 0;
        double correct = 0;
        double examples = 0;
        for (int s = 0; s < syncEvery; s++) {
            int j = (int) (round % roundsPerEpoch) * syncEvery + s;
            Batch batch = batch(data, Arrays.copyOfRange(order, j * batchSize, (j + 1) * batchSize), augmentation,
                    augmentRng, dtype);
            TrainStep.Result r = step.run(batch, dropout, null, round * syncEvery + s + 1, epoch + 1);
            loss += r.loss() * batch.size();
            correct += r.correct();
            examples += batch.size();
        }
        Map<String, NdArray> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(MODEL + k, v));
        opt.stateDict().forEach((k, v) -> out.put(OPTIMIZER + k, v));
        out.put(LOSS, NdArray.scalar(DType.FLOAT64, loss));
        out.put(CORRECT, NdArray.scalar(DType.FLOAT64, correct));
        out.put(EXAMPLES, NdArray.scalar(DType.FLOAT64, examples));
        return Packed.of(out);
    }

    /**
     * The examples at {@code indices} as a batch in the model's dtype, augmented in order. The
     * one-machine twin of a round's work concatenates these batches (see the equivalence test).
     */
    static Batch batch(Dataset data, int[] indices, Augmentation augmentation, SplitMix64 rng, DType dtype) {
        Batch b = data.batch(indices);
        NdArray x = b.inputs();
        if (augmentation != null) {
            float[] f = x.toFloatArray();
            for (int k = 0; k < indices.length; k++) {
                augmentation.apply(f, k * data.featureSize(), rng);
            }
            x = NdArray.of(f, x.shape());
        }
        return new Batch(dtype == DType.FLOAT32 ? x : x.astype(dtype), b.labels(), b.indices());
    }

    /** The local order of partition {@code shard} in {@code epoch}: which examples its batches take. */
    static int[] order(long seed, int epoch, Shard shard) {
        return Samplers.permutation(shard.size(), SplitMix64.derive(seed, "order " + epoch + " " + shard.index()));
    }

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
