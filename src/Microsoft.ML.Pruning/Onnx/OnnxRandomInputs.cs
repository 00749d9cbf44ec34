using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// Seeded random values for every input a caller feeds a model (graph inputs that are not initializers), in the
/// input's shape with its first (batch) dimension set: what <see cref="OnnxModelMeasurement"/> runs the model on.
/// </summary>
internal sealed class OnnxRandomInputs : IDisposable
{
    private readonly List<OrtValue> _values;

    private OnnxRandomInputs(List<string> names, List<OrtValue> values, List<long[]> shapes)
    {
        Names = names;
        _values = values;
        Shapes = shapes;
    }

    /// <summary>The input names, in graph order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The values, in the order of <see cref="Names"/>.</summary>
    public IReadOnlyList<OrtValue> Values => _values;

    /// <summary>The shapes fed, in the order of <see cref="Names"/>.</summary>
    public IReadOnlyList<long[]> Shapes { get; }

    /// <summary>
    /// Inputs for <paramref name="batch"/> rows, or null with <paramref name="whyNot"/> when the model fixes its batch
    /// dimension to another size.
    /// </summary>
    /// <exception cref="InvalidDataException">An input has a type other than float, double, int32, int64 or bool, or a
    /// symbolic dimension other than the first; the message names the model and the input.</exception>
    public static OnnxRandomInputs? Create(ModelProto model, string modelName, int batch, long seed, out string? whyNot)
    {
        whyNot = null;
        var random = new Random(unchecked((int)seed));
        var names = new List<string>();
        var values = new List<OrtValue>();
        var shapes = new List<long[]>();
        try
        {
            foreach (var input in FedInputs(model.Graph))
            {
                var shape = Shape(input, modelName, batch, out whyNot);
                if (shape is null)
                {
                    values.ForEach(v => v.Dispose());
                    return null;
                }

                names.Add(input.Name);
                shapes.Add(shape);
                values.Add(Value(input, modelName, shape, random));
            }
        }
        catch
        {
            values.ForEach(v => v.Dispose());
            throw;
        }

        return new OnnxRandomInputs(names, values, shapes);
    }

    /// <summary>The graph inputs a caller feeds: those that are not initializers (older files list initializers as inputs too).</summary>
    public static IEnumerable<ValueInfoProto> FedInputs(GraphProto graph)
    {
        var stored = graph.Initializer.Select(t => t.Name).Concat(graph.SparseInitializer.Select(s => s.Values?.Name ?? "")).ToHashSet(StringComparer.Ordinal);
        return graph.Input.Where(i => !stored.Contains(i.Name));
    }

    /// <inheritdoc />
    public void Dispose() => _values.ForEach(v => v.Dispose());

    private static long[]? Shape(ValueInfoProto input, string modelName, int batch, out string? whyNot)
    {
        whyNot = null;
        var dims = input.Type?.TensorType?.Shape?.Dim
            ?? throw new InvalidDataException($"{modelName}: input '{input.Name}' has no tensor shape, so no input can be made for it.");
        var shape = new long[dims.Count];
        for (int axis = 0; axis < dims.Count; axis++)
        {
            var dim = dims[axis];
            bool known = dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue;
            if (axis == 0)
            {
                if (known && dim.DimValue != batch)
                {
                    whyNot = $"{modelName}: input '{input.Name}' fixes the batch dimension to {dim.DimValue}";
                    return null;
                }

                shape[0] = batch;
            }
            else if (known && dim.DimValue > 0)
            {
                shape[axis] = dim.DimValue;
            }
            else
            {
                string what = dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? $"the symbolic dimension '{dim.DimParam}'" : "an unknown dimension";
                throw new InvalidDataException($"{modelName}: input '{input.Name}' has {what} at axis {axis}; measuring needs every dimension but the first (the batch) fixed.");
            }
        }

        return shape;
    }

    private static OrtValue Value(ValueInfoProto input, string modelName, long[] shape, Random random)
    {
        int count = checked((int)shape.Aggregate(1L, (a, d) => a * d));
        return (TensorProto.Types.DataType)input.Type.TensorType.ElemType switch
        {
            TensorProto.Types.DataType.Float => OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), shape),
            TensorProto.Types.DataType.Double => OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => random.NextDouble() * 2 - 1).ToArray(), shape),
            // Integer and boolean inputs are usually indices or flags: zeros are valid for any of them.
            TensorProto.Types.DataType.Int64 => OrtValue.CreateTensorValueFromMemory(new long[count], shape),
            TensorProto.Types.DataType.Int32 => OrtValue.CreateTensorValueFromMemory(new int[count], shape),
            TensorProto.Types.DataType.Bool => OrtValue.CreateTensorValueFromMemory(new bool[count], shape),
            var other => throw new InvalidDataException(
                $"{modelName}: input '{input.Name}' is of type {other.ToString().ToLowerInvariant()}; measuring feeds float, double, int32, int64 or bool inputs."),
        };
    }
}
