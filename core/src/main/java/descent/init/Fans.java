package descent.init;

import descent.tensor.ShapeException;
import descent.tensor.Shapes;

/**
 * The fan-in and fan-out of a weight stored as [out, in, receptive...] (PyTorch's layout): inputs
 * per output unit and outputs per input unit, both times the receptive field size.
 */
public record Fans(int in, int out) {

    public static Fans of(String scheme, int[] shape) {
        if (shape.length < 2) {
            throw new ShapeException(scheme + ": fans need a weight of rank >= 2 ([out, in, ...]), got shape "
                    + Shapes.str(shape));
        }
        int receptive = 1;
        for (int i = 2; i < shape.length; i++) {
            receptive *= shape[i];
        }
        return new Fans(shape[1] * receptive, shape[0] * receptive);
    }
}
