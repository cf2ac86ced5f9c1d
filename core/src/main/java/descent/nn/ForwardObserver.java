package descent.nn;

import descent.autograd.Tensor;

/**
 * Sees every module's output during {@link Module#forward(Tensor, Mode, ForwardObserver)}, each
 * under its dotted name in the model ("" for the model itself), innermost modules first: it rides
 * in the {@link Mode} and is called by {@link Module#forwardChild} as each child returns. Used to
 * find where a non-finite value first appears and to record per-layer statistics; passed
 * explicitly, so there is no hidden hook state on the modules.
 */
@FunctionalInterface
public interface ForwardObserver {

    void output(String name, Module module, Tensor output);
}
