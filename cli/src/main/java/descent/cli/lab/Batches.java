package descent.cli.lab;

import descent.data.Batch;
import descent.data.Dataset;
import descent.data.Samplers;
import descent.tensor.DType;
import descent.train.NonFiniteException;
import descent.train.SplitMix64;
import descent.train.TrainStep;

/** Endless seeded minibatches of a data set, reshuffled each pass, for experiments that count steps rather than epochs. */
public final class Batches {

    private final Dataset data;
    private final int size;
    private final SplitMix64 rng;
    private final DType dtype;
    private int[] order;
    private int position;
    private long steps;
    /** The lab's step-counted networks have no dropout; the step still takes a generator. */
    private static final SplitMix64 NO_DROPOUT = new SplitMix64(0);

    public Batches(Dataset data, int size, SplitMix64 rng, DType dtype) {
        this.data = data;
        this.size = size;
        this.rng = rng;
        this.dtype = dtype;
        this.order = Samplers.permutation(data.size(), rng);
    }

    /**
     * One training step on the next batch; returns the batch's loss, or NaN, without a step, once
     * the loss or a gradient is not finite (a diverging network is what some lessons show).
     */
    public double step(TrainStep stepper) {
        int[] picked = new int[size];
        for (int i = 0; i < size; i++) {
            if (position == order.length) {
                order = Samplers.permutation(data.size(), rng);
                position = 0;
            }
            picked[i] = order[position++];
        }
        Batch batch = data.batch(picked);
        if (dtype != DType.FLOAT32) {
            batch = new Batch(batch.inputs().astype(dtype), batch.labels(), batch.indices());
        }
        steps++;
        try {
            return stepper.run(batch, NO_DROPOUT, null, steps, 1).loss();
        } catch (NonFiniteException e) {
            return Double.NaN;
        }
    }
}
