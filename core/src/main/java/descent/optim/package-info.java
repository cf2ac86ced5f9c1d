/**
 * Optimizers as pure per-parameter update rules with typed state records, composed with
 * {@link descent.optim.Rule#chain}, under the stateful {@link descent.optim.Optimizer} facade;
 * learning-rate schedules as pure functions of the step; and iterate averaging.
 */
package descent.optim;
