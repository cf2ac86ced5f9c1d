package descent.cli.lab;

import descent.autograd.Tensor;
import descent.data.Batch;
import descent.data.Dataset;
import descent.data.Samplers;
import descent.nn.Losses;
import descent.nn.Mode;
import descent.nn.Module;
import descent.optim.Optimizer;
import descent.tensor.DType;
import descent.tensor.NdArray;
import descent.train.SplitMix64;

/** Endless seeded minibatches of a data set, reshuffled each pass, for experiments that count steps rather than epochs. */
public final class Batches {

    private final Dataset data;
    private final int size;
    private final SplitMix64 rng;
    private final DType dtype;
    private int[] order;
    private int position;

    public Batches(Dataset data, int size, SplitMix64 rng, DType dtype) {
        this.data = data;
        this.size = size;
        this.rng = rng;
        this.dtype = dtype;
        this.order = Samplers.permutation(data.size(), rng);
    }

    /** One SGD step of cross-entropy on the next batch; returns the batch's loss (NaN steps are not taken). */
    public double step(Module model, Optimizer opt) {
        int[] picked = new int[size];
        for (int i = 0; i < size; i++) {
            if (position == order.length) {
                order = Samplers.permutation(data.size(), rng);
                position = 0;
            }
            picked[i] = order[position++];
        }
        Batch batch = data.batch(picked);
        opt.zeroGrad();
        NdArray input = dtype == DType.FLOAT32 ? batch.inputs() : batch.inputs().astype(dtype);
        Tensor loss = Losses.crossEntropy(model.forward(Tensor.of(input), Mode.EVAL), batch.labels());
        double v = loss.item();
        if (Double.isFinite(v)) {
            loss.backward();
            opt.step();
        }
        return v;
    }
}
