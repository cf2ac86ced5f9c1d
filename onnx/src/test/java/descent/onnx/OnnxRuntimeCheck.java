package descent.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import descent.autograd.Tensor;
import descent.nn.Mode;
import descent.nn.Module;
import descent.tensor.NdArray;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * Runs an exported ONNX file in ONNX Runtime and compares its logits with Descent's evaluation
 * forward pass on the same inputs (for the tests of this module and of the command line).
 */
public final class OnnxRuntimeCheck {

    private OnnxRuntimeCheck() {}

    /** ONNX Runtime's output {@value OnnxExport#OUTPUT} for {@code input} of shape {@code shape}, flattened. */
    public static float[] run(byte[] onnx, float[] input, int... shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] dims = Arrays.stream(shape).asLongStream().toArray();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(onnx, options);
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), dims);
             OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, x))) {
            OnnxTensor logits = (OnnxTensor) result.get(OnnxExport.OUTPUT).orElseThrow();
            FloatBuffer out = logits.getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }

    /** Descent's own evaluation-mode output, flattened, for the input in the model's dtype. */
    public static float[] descent(Module model, float[] input, int... shape) {
        NdArray x = NdArray.of(input, shape);
        if (!model.parameters().isEmpty()) {
            x = x.astype(model.parameters().getFirst().dtype());
        }
        return model.forward(Tensor.of(x), Mode.EVAL).value().toFloatArray();
    }

    /**
     * The largest difference between ONNX Runtime's and Descent's outputs relative to the largest
     * of Descent's: max |onnx − descent| / max |descent|.
     */
    public static double relativeError(float[] onnx, float[] descent) {
        if (onnx.length != descent.length) {
            throw new AssertionError("ONNX Runtime gave " + onnx.length + " values, Descent " + descent.length);
        }
        double diff = 0, scale = 0;
        for (int i = 0; i < onnx.length; i++) {
            diff = Math.max(diff, Math.abs((double) onnx[i] - descent[i]));
            scale = Math.max(scale, Math.abs(descent[i]));
        }
        return diff / scale;
    }
}
