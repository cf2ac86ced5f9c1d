/**
 * Problems to watch optimizers on: classic 2-D test functions and the paths minimizers take over
 * them, and the notes' sparse-coding problem solved by block coordinate descent.
 */
package descent.problems;
