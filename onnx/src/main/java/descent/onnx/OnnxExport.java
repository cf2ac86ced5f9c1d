package descent.onnx;

import descent.io.AtomicFiles;
import descent.nn.Activation;
import descent.nn.BatchNorm1d;
import descent.nn.Classifier;
import descent.nn.Dropout;
import descent.nn.Flatten;
import descent.nn.LayerNorm;
import descent.nn.Linear;
import descent.nn.Mlp;
import descent.nn.Module;
import descent.nn.Residual;
import descent.nn.Sequential;
import descent.nn.Standardize;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * Writes a Descent model as an ONNX model (opset {@value #OPSET}, float32) computing its evaluation
 * forward pass: one input {@value #INPUT} of shape [N, exampleShape...] and one output
 * {@value #OUTPUT} [N, outputs...], N a dynamic batch dimension. Every layer a run can hold maps to
 * standard ONNX operators: Linear to Gemm (MatMul and Add above rank 2), the activations to their
 * operators or, where opset 17 has none (GELU, softplus with β ≠ 1), to the same composition of
 * Erf, Tanh, Pow, Mul and Add that Descent computes; BatchNorm1d to BatchNormalization with its
 * running statistics; LayerNorm to LayerNormalization; Standardize to Sub and Div; Flatten and a
 * Classifier's flattening to Flatten; Residual to Add; inverted Dropout to nothing and
 * scale-at-test Dropout to a Mul by the keep probability. Initializers keep the state dict's
 * names ({@code body.layers.0.weight}).
 */
public final class OnnxExport {

    /** The operator set written: the first with LayerNormalization. */
    public static final int OPSET = 17;
    /** The graph input's name. */
    public static final String INPUT = "input";
    /** The graph output's name. */
    public static final String OUTPUT = "logits";
    /** The batch dimension's symbolic name. */
    public static final String BATCH = "N";

    /** ONNX IR version 8, the one published with opset 17 (so readers from then on take the file). */
    private static final long IR_VERSION = 8;

    private final GraphBuilder g = new GraphBuilder(INPUT, OUTPUT);

    private OnnxExport() {}

    /**
     * The model as an ONNX {@link ModelProto}, for inputs of shape [N, exampleShape...] (the shape of
     * one example, such as {1, 28, 28} or {784}).
     *
     * @throws OnnxExportException naming the first module that has no ONNX form, or whose input shape
     *                             does not fit
     */
    public static ModelProto model(Module model, int... exampleShape) {
        for (int d : exampleShape) {
            if (d <= 0) {
                throw new IllegalArgumentException("ONNX export: example shape " + Arrays.toString(exampleShape)
                        + " needs positive sizes");
            }
        }
        int[] in = new int[exampleShape.length + 1];
        in[0] = -1;
        System.arraycopy(exampleShape, 0, in, 1, exampleShape.length);
        OnnxExport e = new OnnxExport();
        Value out = e.emit("", model, new Value(INPUT, in));
        e.g.nameOutput(out.name(), OUTPUT);
        var graph = e.g.graph().setName("descent").addInput(valueInfo(INPUT, in)).addOutput(valueInfo(OUTPUT, out.shape()));
        String version = OnnxExport.class.getPackage().getImplementationVersion();
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("descent")
                .setProducerVersion(version != null ? version : "development")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph).build();
    }

    /**
     * Writes {@link #model} to {@code file}, atomically: a reader sees the old file or the whole new
     * one. The model is checked before the file is touched.
     */
    public static void write(Module model, int[] exampleShape, Path file) throws IOException {
        ModelProto proto = model(model, exampleShape);
        AtomicFiles.write(file, proto::writeTo);
    }

    /** A value in the graph: its name and static shape, -1 for the batch dimension. */
    private record Value(String name, int[] shape) {
        int rank() {
            return shape.length;
        }

        int last() {
            return shape[shape.length - 1];
        }

        Value named(String newName) {
            return new Value(newName, shape);
        }
    }

    private Value emit(String path, Module m, Value x) {
        return switch (m) {
            case Sequential s -> {
                for (int i = 0; i < s.size(); i++) {
                    x = emit(child(path, Integer.toString(i)), s.get(i), x);
                }
                yield x;
            }
            case Mlp mlp -> emit(child(path, "layers"), mlp.layers(), x);
            case Classifier c -> {
                Value flat = flatten(path, x);
                Value normalized = emit(child(path, "normalize"), c.children().get("normalize"), flat);
                yield emit(child(path, "body"), c.body(), normalized);
            }
            case Flatten _ -> flatten(path, x);
            case Linear l -> linear(path, l, x);
            case Activation a -> activation(path, a, x);
            case Dropout d -> d.form() == Dropout.Form.INVERTED || d.p() == 0 ? x
                    : x.named(g.node("Mul", path, List.of(x.name(), g.scalar(child(path, "keep"), 1 - d.p()))));
            case Standardize s -> standardize(path, s, x);
            case BatchNorm1d b -> batchNorm(path, b, x);
            case LayerNorm ln -> layerNorm(path, ln, x);
            case Residual r -> {
                Value fx = emit(child(path, "body"), r.body(), x);
                if (!Arrays.equals(fx.shape(), x.shape())) {
                    throw new OnnxExportException(path, m, "its body maps shape " + shape(x) + " to " + shape(fx)
                            + "; x + f(x) needs them equal");
                }
                yield x.named(g.node("Add", path, List.of(x.name(), fx.name())));
            }
            default -> throw new OnnxExportException(path, m, "ONNX export knows Sequential, Mlp, Classifier, Linear, "
                    + "Activation, BatchNorm1d, LayerNorm, Dropout, Residual, Standardize and Flatten; "
                    + m.getClass().getName() + " has no ONNX form");
        };
    }

    private Value flatten(String path, Value x) {
        int features = 1;
        for (int i = 1; i < x.rank(); i++) {
            features *= x.shape()[i];
        }
        return new Value(g.node("Flatten", path.isEmpty() ? "flatten" : path, List.of(x.name()), "axis", 1L),
                new int[] {-1, features});
    }

    private Value linear(String path, Linear l, Value x) {
        if (x.rank() < 2 || x.last() != l.inFeatures()) {
            throw new OnnxExportException(path, l, "input shape " + shape(x) + " does not end in " + l.inFeatures()
                    + " features");
        }
        int[] shape = x.shape().clone();
        shape[shape.length - 1] = l.outFeatures();
        String w = g.constant(child(path, "weight"), l.weight().value());
        String b = l.bias() == null ? null : g.constant(child(path, "bias"), l.bias().value());
        if (x.rank() == 2) { // Gemm: x·Wᵀ + b with W as stored, [out, in]
            List<String> in = b == null ? List.of(x.name(), w) : List.of(x.name(), w, b);
            return new Value(g.node("Gemm", path, in, "transB", 1L), shape);
        }
        String wt = g.node("Transpose", path, List.of(w));
        String y = g.node("MatMul", path, List.of(x.name(), wt));
        return new Value(b == null ? y : g.node("Add", path, List.of(y, b)), shape);
    }

    /** Each activation exactly as {@link Activation} computes it. */
    private Value activation(String path, Activation a, Value x) {
        String v = x.name();
        String y = switch (a.kind()) {
            case RELU -> g.node("Relu", path, List.of(v));
            case LEAKY_RELU -> g.node("LeakyRelu", path, List.of(v), "alpha", (float) a.parameter());
            case SIGMOID -> g.node("Sigmoid", path, List.of(v));
            case TANH -> g.node("Tanh", path, List.of(v));
            case IDENTITY -> g.node("Identity", path, List.of(v));
            case GELU -> { // x·½(1 + erf(x/√2))
                String erf = g.node("Erf", path, List.of(mul(path, v, 1 / Math.sqrt(2))));
                String half = mul(path, g.node("Add", path, List.of(erf, g.scalar(child(path, "one"), 1))), 0.5);
                yield g.node("Mul", path, List.of(v, half));
            }
            case GELU_TANH -> { // ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
                String cube = g.node("Pow", path, List.of(v, g.scalar(child(path, "three"), 3)));
                String inner = g.node("Add", path, List.of(v, mul(path, cube, 0.044715)));
                String t = g.node("Tanh", path, List.of(mul(path, inner, Math.sqrt(2 / Math.PI))));
                String onePlus = g.node("Add", path, List.of(t, g.scalar(child(path, "one"), 1)));
                yield mul(path, g.node("Mul", path, List.of(v, onePlus)), 0.5);
            }
            case SOFTPLUS -> { // (1/β)·softplus(βx)
                double beta = a.parameter();
                if (beta == 1) {
                    yield g.node("Softplus", path, List.of(v));
                }
                String sp = g.node("Softplus", path, List.of(mul(path, v, beta)));
                yield g.node("Div", path, List.of(sp, g.scalar(child(path, "beta"), beta)));
            }
        };
        return x.named(y);
    }

    private String mul(String path, String v, double c) {
        return g.node("Mul", path, List.of(v, g.scalar(child(path, "c"), c)));
    }

    private Value standardize(String path, Standardize s, Value x) {
        int features = s.mean().dim(0);
        if (features != 1 && (x.rank() != 2 || x.last() != features)) {
            throw new OnnxExportException(path, s, "input shape " + shape(x) + " does not match " + features
                    + " features [N, " + features + "]");
        }
        String centered = g.node("Sub", path, List.of(x.name(), g.constant(child(path, "mean"), s.mean().value())));
        return x.named(g.node("Div", path, List.of(centered, g.constant(child(path, "std"), s.std().value()))));
    }

    /** Evaluation form: y = γ·(x − running mean)/√(running var + ε) + β. */
    private Value batchNorm(String path, BatchNorm1d b, Value x) {
        int c = b.runningMean().dim(0);
        if ((x.rank() != 2 && x.rank() != 3) || x.shape()[1] != c) {
            throw new OnnxExportException(path, b, "input shape " + shape(x) + " is not [N, " + c + "] or [N, " + c
                    + ", L]");
        }
        String scale = g.constant(child(path, "weight"), b.weight() != null ? b.weight().value()
                : NdArray.ones(DType.FLOAT32, c));
        String shift = g.constant(child(path, "bias"), b.bias() != null ? b.bias().value()
                : NdArray.zeros(DType.FLOAT32, c));
        String mean = g.constant(child(path, "running_mean"), b.runningMean().value());
        String var = g.constant(child(path, "running_var"), b.runningVar().value());
        return x.named(g.node("BatchNormalization", path, List.of(x.name(), scale, shift, mean, var),
                "epsilon", (float) b.eps()));
    }

    private Value layerNorm(String path, LayerNorm ln, Value x) {
        int[] normalized = ln.normalizedShape();
        int k = normalized.length;
        if (x.rank() <= k || !Arrays.equals(Arrays.copyOfRange(x.shape(), x.rank() - k, x.rank()), normalized)) {
            throw new OnnxExportException(path, ln, "input shape " + shape(x) + " does not end in "
                    + Arrays.toString(normalized));
        }
        String scale = g.constant(child(path, "weight"), ln.weight() != null ? ln.weight().value()
                : NdArray.ones(DType.FLOAT32, normalized));
        String shift = g.constant(child(path, "bias"), ln.bias() != null ? ln.bias().value()
                : NdArray.zeros(DType.FLOAT32, normalized));
        return x.named(g.node("LayerNormalization", path, List.of(x.name(), scale, shift),
                "axis", (long) -k, "epsilon", (float) ln.eps()));
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String shape(Value v) {
        StringBuilder sb = new StringBuilder("[N");
        for (int i = 1; i < v.rank(); i++) {
            sb.append(", ").append(v.shape()[i]);
        }
        return sb.append(']').toString();
    }

    private static ValueInfoProto valueInfo(String name, int[] shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int d : shape) {
            s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto.Tensor t = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s)
                .build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
    }
}
