package descent.nn;

import descent.autograd.Tensor;
import descent.tensor.ShapeException;
import descent.tensor.Shapes;

/** Reshapes [N, d1, d2, ...] to [N, d1·d2·...], e.g. images to feature vectors. */
public final class Flatten extends Module {

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        if (x.rank() < 1) {
            throw new ShapeException("Flatten: input shape " + Shapes.str(x.shape()) + " has no batch axis");
        }
        int n = x.dim(0);
        return x.reshape(n, n == 0 ? 0 : x.size() / n);
    }
}
