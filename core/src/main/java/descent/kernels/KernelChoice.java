package descent.kernels;

/** The kernels chosen once, at first use: Vector API unless the module is absent or scalar is forced. */
final class KernelChoice {

    static final Kernels INSTANCE = choose();

    private KernelChoice() {}

    private static Kernels choose() {
        if ("scalar".equalsIgnoreCase(System.getProperty(Kernels.PROPERTY))) {
            return ScalarKernels.INSTANCE;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return ScalarKernels.INSTANCE;
        }
        return VectorKernels.INSTANCE;
    }
}
