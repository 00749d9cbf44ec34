namespace Microsoft.ML.Pruning.Import;

/// <summary>An operator the importer runs: how many inputs it takes, and how a node of it is compiled.</summary>
/// <param name="OpType">The ONNX operator name.</param>
/// <param name="MinInputs">Inputs it needs.</param>
/// <param name="MaxInputs">Inputs it takes (optional ones included).</param>
/// <param name="Compile">Checks the node and returns its step; null when the node computes nothing at run time
/// (a Constant, or an Identity of a constant).</param>
/// <param name="Becomes">What it becomes in the network, for <c>docs/import.md</c> and <c>Describe</c>.</param>
internal sealed record OperatorSpec(string OpType, int MinInputs, int MaxInputs, Func<NodeContext, NodeStep?> Compile, string Becomes);
