/**
 * The training loop: a {@link descent.train.Trainer} that runs epochs of minibatch steps, measures
 * loss and accuracy, and calls back for progress, early stopping and the like; atomic checkpoints
 * from which a killed run resumes bit-exactly; and a guard that stops at the first non-finite value
 * and says in which layer and step it appeared.
 */
package descent.train;
