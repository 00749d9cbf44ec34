namespace Microsoft.ML.Pruning.Import;

/// <summary>One node of an imported graph, compiled: reads its inputs from the frame and writes its outputs to it.</summary>
internal delegate void NodeStep(ExecutionFrame frame);
