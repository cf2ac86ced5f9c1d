/**
 * Instruments for looking inside a network: per-layer statistics of activations, gradients and
 * updates, signal propagation against mean-field theory, symmetry between units, where a
 * non-finite value first appears, and lint for architectures that are known to train badly.
 * Everything here reads models and graphs; nothing changes how they train.
 */
package descent.diagnostics;
