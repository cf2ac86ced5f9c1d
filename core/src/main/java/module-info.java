/**
 * Descent's core: tensors, CPU kernels, automatic differentiation, networks, optimizers and the
 * training loop, on the JDK alone. Packages depend only on the layers below them, bottom to top:
 * kernels, tensor, autograd, then nn, init, io and data, then optim, then diagnostics and
 * problems, then train ({@code LayeringTest} fails the build otherwise). The Vector API
 * (an incubator module) is read by {@code descent.kernels} alone.
 */
module descent.core {
    requires jdk.incubator.vector;

    exports descent.kernels;
    exports descent.tensor;
    exports descent.autograd;
    exports descent.nn;
    exports descent.init;
    exports descent.io;
    exports descent.data;
    exports descent.optim;
    exports descent.optim.fullbatch;
    exports descent.diagnostics;
    exports descent.problems;
    exports descent.train;
}
