package descent.onnx;

import com.google.protobuf.ByteString;
import descent.tensor.DType;
import descent.tensor.NdArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

/**
 * Collects an ONNX graph's nodes and float32 initializers in order, giving every value a unique
 * name. Nodes are added in execution order, so the list is already topologically sorted.
 */
final class GraphBuilder {

    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    GraphBuilder(String... reserved) {
        names.addAll(List.of(reserved));
    }

    /** A fresh value name starting with {@code base}: the base itself when unused. */
    String fresh(String base) {
        String name = base;
        for (int i = 1; !names.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /**
     * Adds node {@code op} on {@code inputs} and returns its single output, named after the node;
     * {@code attributes} come as name, value pairs (Float, Long or long[]).
     */
    String node(String op, String name, List<String> inputs, Object... attributes) {
        String nodeName = fresh(name + "/" + op);
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(nodeName).addAllInput(inputs)
                .addOutput(nodeName + ":0");
        for (int i = 0; i < attributes.length; i += 2) {
            n.addAttribute(attribute((String) attributes[i], attributes[i + 1]));
        }
        nodes.add(n.build());
        return nodeName + ":0";
    }

    /** Adds an initializer holding {@code value} as float32 under a fresh name from {@code name}. */
    String constant(String name, NdArray value) {
        String unique = fresh(name);
        float[] data = value.astype(DType.FLOAT32).toFloatArray();
        ByteBuffer bytes = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        TensorProto.Builder t = TensorProto.newBuilder().setName(unique).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (int d : value.shape()) {
            t.addDims(d);
        }
        initializers.add(t.build());
        return unique;
    }

    /** A float32 scalar initializer. */
    String scalar(String name, double value) {
        return constant(name, NdArray.scalar(DType.FLOAT32, value));
    }

    /**
     * Gives the graph's last value the name {@code output}: renames the last node's output, or
     * adds an Identity when {@code value} is the graph's input itself (a model with no nodes).
     */
    void nameOutput(String value, String output) {
        names.add(output);
        int last = nodes.size() - 1;
        if (last >= 0 && nodes.get(last).getOutput(0).equals(value)) {
            nodes.set(last, nodes.get(last).toBuilder().setOutput(0, output).build());
        } else {
            nodes.add(NodeProto.newBuilder().setOpType("Identity").setName("output/Identity").addInput(value)
                    .addOutput(output).build());
        }
    }

    GraphProto.Builder graph() {
        return GraphProto.newBuilder().addAllNode(nodes).addAllInitializer(initializers);
    }

    private static AttributeProto attribute(String name, Object value) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        switch (value) {
            case Float f -> a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
            case Long l -> a.setType(AttributeProto.AttributeType.INT).setI(l);
            default -> throw new IllegalArgumentException("attribute " + name + ": unsupported value " + value);
        }
        return a.build();
    }
}
