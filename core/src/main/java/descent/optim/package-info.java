/**
 * Optimizers as pure per-parameter update rules with typed state records, composed with
 * {@link descent.optim.Rule#chain}, rules over all parameters at once (global-norm clipping,
 * gradient accumulation), under the stateful {@link descent.optim.Optimizer} facade;
 * learning-rate schedules as pure functions of the step; and iterate averaging. The full-batch
 * methods live in {@code descent.optim.fullbatch}.
 */
package descent.optim;
