/**
 * Data sets and their delivery to training: in-memory labelled examples, IDX files (MNIST,
 * Fashion-MNIST) read with every size checked, seeded sampling orders (shuffled, curriculum), a
 * data loader that prepares the next batch on a background thread, and seeded image augmentation.
 */
package descent.data;
