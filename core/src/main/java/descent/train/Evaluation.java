package descent.train;

import descent.autograd.GradMode;
import descent.autograd.Tensor;
import descent.data.Batch;
import descent.data.DataLoader;
import descent.data.Dataset;
import descent.nn.Mode;
import descent.nn.Module;

/** Mean loss and accuracy of a classifier on a data set, measured in evaluation mode without gradients. */
public record Evaluation(double loss, double accuracy, int examples) {

    public static Evaluation of(Module model, Dataset data, LossFunction lossFunction, int batchSize) {
        double lossSum = 0;
        long correct = 0;
        DataLoader loader = DataLoader.inOrder(data, batchSize);
        try (var no = GradMode.noGrad(); DataLoader.Epoch epoch = loader.epoch(0, new SplitMix64(0), new SplitMix64(0))) {
            while (epoch.hasNext()) {
                Batch b = epoch.next();
                Tensor out = model.forward(Tensor.of(b.inputs()), Mode.EVAL);
                lossSum += lossFunction.loss(out, b.labels()).item() * b.size();
                correct += correct(out, b.labels());
            }
        }
        return new Evaluation(lossSum / data.size(), (double) correct / data.size(), data.size());
    }

    /** How many rows of {@code [n, classes]} outputs have their maximum at the label (first maximum wins). */
    public static int correct(Tensor outputs, int[] labels) {
        float[] v = outputs.value().contiguous().toFloatArray();
        int classes = v.length / labels.length;
        int hits = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (v[i * classes + c] > v[i * classes + best]) {
                    best = c;
                }
            }
            hits += best == labels[i] ? 1 : 0;
        }
        return hits;
    }
}
