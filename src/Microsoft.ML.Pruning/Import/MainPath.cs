using Microsoft.ML.Pruning.Onnx.Proto;

namespace Microsoft.ML.Pruning.Import;

/// <summary>
/// Which prunable layers of an imported graph are on its main path: a layer is, when it lies on a longest chain of
/// prunable layers from the input to the logits. In a residual block the two convolutions of the main branch are, the
/// 1x1 convolution of a projection shortcut (one layer where the branch has two) is not. Information flow compares
/// consecutive main-path layers only.
/// </summary>
internal static class MainPath
{
    public static HashSet<int> Of(GraphProto graph, IReadOnlyList<int> executed, HashSet<int> layers,
        IReadOnlyDictionary<string, ConstantValue> constants, string input, string logits)
    {
        // before[v]: most layers on a path from the input to v (including the node making v).
        var before = new Dictionary<string, int>(StringComparer.Ordinal) { [input] = 0 };
        var reached = new Dictionary<int, int>();
        foreach (int i in executed)
        {
            var node = graph.Node[i];
            var counts = node.Input.Where(v => v.Length > 0 && !constants.ContainsKey(v) && before.ContainsKey(v)).Select(v => before[v]).ToList();
            if (counts.Count == 0)
            {
                continue;
            }

            reached[i] = counts.Max();
            foreach (string output in node.Output.Where(v => v.Length > 0))
            {
                before[output] = counts.Max() + (layers.Contains(i) ? 1 : 0);
            }
        }

        // after[v]: most layers on a path from v to the logits (excluding v's producer).
        var after = new Dictionary<string, int>(StringComparer.Ordinal) { [logits] = 0 };
        var fromNode = new Dictionary<int, int>();
        foreach (int i in executed.Reverse())
        {
            var node = graph.Node[i];
            var counts = node.Output.Where(v => v.Length > 0 && after.ContainsKey(v)).Select(v => after[v]).ToList();
            if (counts.Count == 0)
            {
                continue;
            }

            fromNode[i] = counts.Max();
            int through = counts.Max() + (layers.Contains(i) ? 1 : 0);
            foreach (string v in node.Input.Where(v => v.Length > 0 && !constants.ContainsKey(v)))
            {
                after[v] = Math.Max(after.GetValueOrDefault(v, int.MinValue), through);
            }
        }

        int total = before.GetValueOrDefault(logits, 0);
        return layers.Where(i => reached.ContainsKey(i) && fromNode.ContainsKey(i) && reached[i] + 1 + fromNode[i] == total).ToHashSet();
    }
}
