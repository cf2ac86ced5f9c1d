/**
 * ONNX export: {@link descent.onnx.OnnxExport} writes a Descent model as an ONNX file that ONNX
 * Runtime and other runtimes run (opset 17, float32, input {@code input}, output {@code logits},
 * a dynamic batch dimension). The protobuf classes (package {@code onnx}) are generated at build
 * time from the ONNX project's own {@code onnx.proto}; this module keeps protobuf out of the core.
 */
package descent.onnx;
