package descent.onnx;

import descent.nn.Module;

/**
 * A model that cannot be written as ONNX: names the module (its dotted path in the model, "" for
 * the model itself, and its class) and why.
 */
public final class OnnxExportException extends IllegalArgumentException {

    OnnxExportException(String path, Module module, String why) {
        super("cannot export " + (path.isEmpty() ? "the model" : "module '" + path + "'") + " ("
                + module.getClass().getSimpleName() + ") to ONNX: " + why);
    }
}
