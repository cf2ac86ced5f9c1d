/**
 * Neural-network modules, activations and losses. A {@link descent.nn.Module} owns parameters,
 * buffers and child modules registered by name, so state dicts have stable dotted names; whether a
 * forward pass trains or evaluates, and who observes it, is passed explicitly as a
 * {@link descent.nn.Mode}.
 */
package descent.nn;
