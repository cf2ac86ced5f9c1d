package descent.data;

import descent.tensor.NdArray;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.random.RandomGenerator;

/**
 * Minibatches of a {@link Dataset} for one epoch at a time. The {@link Sampler} fixes the epoch's
 * order up front from the order generator; a background thread then assembles (and, with an
 * {@link ExampleTransform}, augments) the batches in that order, a couple ahead of training, so
 * that data preparation overlaps the previous step's arithmetic. All randomness comes from the two
 * generators passed to {@link #epoch}, used in a fixed sequence, so an epoch is reproducible.
 *
 * <p>The thread lives as long as its epoch: it ends when the batches run out or the epoch is closed
 * (the trainer closes it however training ends), and an exception it meets reaches the consumer as
 * an {@link IllegalStateException} that names the batch, with the exception as its cause.
 */
public final class DataLoader {

    /** Batches prepared ahead of the one being trained on. */
    private static final int PREFETCH = 2;

    private final Dataset data;
    private final int batchSize;
    private final boolean dropLast;
    private final Sampler sampler;
    private final ExampleTransform transform;
    /** {@code [n, example shape...]}; n is filled in per batch. */
    private final int[] batchShape;

    /** {@code transform} may be null (no augmentation). */
    public DataLoader(Dataset data, int batchSize, boolean dropLast, Sampler sampler, ExampleTransform transform) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.data = data;
        this.batchSize = batchSize;
        this.dropLast = dropLast;
        this.sampler = sampler;
        this.transform = transform;
        int[] example = data.exampleShape();
        this.batchShape = new int[example.length + 1];
        System.arraycopy(example, 0, batchShape, 1, example.length);
    }

    /** Shuffled each epoch, last partial batch kept, no augmentation. */
    public static DataLoader shuffled(Dataset data, int batchSize) {
        return new DataLoader(data, batchSize, false, Samplers.shuffled(), null);
    }

    /** In data-set order, every example, for evaluation. */
    public static DataLoader inOrder(Dataset data, int batchSize) {
        return new DataLoader(data, batchSize, false, Samplers.sequential(), null);
    }

    public Dataset dataset() {
        return data;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Batches in an epoch that visits {@code examples} examples. */
    public int batches(int examples) {
        return dropLast ? examples / batchSize : (examples + batchSize - 1) / batchSize;
    }

    /**
     * Starts an epoch (0-based). The order is drawn from {@code orderRng} now; {@code transformRng}
     * is used by the background thread until the epoch is exhausted or closed, and must not be
     * touched elsewhere meanwhile.
     */
    public Epoch epoch(int epoch, RandomGenerator orderRng, RandomGenerator transformRng) {
        return epoch(epoch, orderRng, transformRng, 0);
    }

    /**
     * Starts an epoch at batch {@code from}, as though its first {@code from} batches had been
     * taken: the order is drawn as by {@link #epoch(int, RandomGenerator, RandomGenerator)}, and
     * with a transform those batches are assembled and dropped, so that {@code transformRng} makes
     * the draws they made and the rest of the epoch is the very same (a run resumed inside an epoch).
     */
    public Epoch epoch(int epoch, RandomGenerator orderRng, RandomGenerator transformRng, int from) {
        int[] order = sampler.order(epoch, data.size(), orderRng);
        if (from < 0 || from > batches(order.length)) {
            throw new IllegalArgumentException("epoch " + epoch + " has " + batches(order.length) + " batches, cannot "
                    + "start at batch " + from);
        }
        return new Epoch(order, transformRng, from);
    }

    /** One pass over the data: an iterator of batches that must be closed (it owns a thread). */
    public final class Epoch implements Iterator<Batch>, AutoCloseable {

        private static final Object END = new Object();

        private final int[] order;
        private final int batches;
        private final BlockingQueue<Object> ready = new ArrayBlockingQueue<>(PREFETCH);
        private final Thread producer;
        private int taken;

        private Epoch(int[] order, RandomGenerator transformRng, int from) {
            this.order = order;
            this.batches = DataLoader.this.batches(order.length);
            this.taken = from;
            this.producer = Thread.ofPlatform().daemon().name("descent-data").unstarted(() -> produce(transformRng, from));
            producer.start();
        }

        /** Batches in this epoch. */
        public int batches() {
            return batches;
        }

        /** Examples this epoch visits (a curriculum's pool may be smaller than the data set). */
        public int examples() {
            return dropLast ? batches * batchSize : order.length;
        }

        /** What went wrong preparing batch {@code batch} (0-based) on the background thread. */
        private record Failure(int batch, Throwable cause) {}

        private void produce(RandomGenerator rng, int from) {
            int b = transform == null ? from : 0;
            try {
                for (; b < from; b++) {
                    assemble(b, rng); // only its augmentation draws matter
                }
                for (; b < batches; b++) {
                    ready.put(assemble(b, rng));
                }
                ready.put(END);
            } catch (InterruptedException e) {
                // closed early: stop quietly
            } catch (RuntimeException | Error e) {
                try {
                    ready.put(new Failure(b, e));
                } catch (InterruptedException ignored) {
                    // closed while reporting: nobody is listening
                }
            }
        }

        private Batch assemble(int b, RandomGenerator rng) {
            int from = b * batchSize;
            int to = Math.min(order.length, from + batchSize);
            int[] indices = Arrays.copyOfRange(order, from, to);
            float[] x = data.gatherFeatures(indices);
            if (transform != null) {
                for (int k = 0; k < indices.length; k++) {
                    transform.apply(x, k * data.featureSize(), rng);
                }
            }
            int[] shape = batchShape.clone();
            shape[0] = indices.length;
            return new Batch(NdArray.wrap(x, shape), data.gatherLabels(indices), indices);
        }

        @Override
        public boolean hasNext() {
            return taken < batches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch has " + batches + " batches");
            }
            Object item;
            try {
                item = ready.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            }
            if (item instanceof Failure(int b, Throwable cause)) {
                if (cause instanceof Error e) {
                    throw e; // out of memory and the like stay what they are
                }
                throw new IllegalStateException("the data loader failed preparing batch " + (b + 1) + " of " + batches
                        + " (" + data.name() + "): " + cause, cause);
            }
            taken++;
            return (Batch) item;
        }

        /** Stops the background thread and waits for it, so the transform generator is free again. */
        @Override
        public void close() {
            producer.interrupt();
            try {
                producer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
