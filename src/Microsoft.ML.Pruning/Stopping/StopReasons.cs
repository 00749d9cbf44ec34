namespace Microsoft.ML.Pruning.Stopping;

/// <summary>The stop reasons the built-in policies report (the <c>stopReason</c> of <c>report.json</c>).</summary>
public static class StopReasons
{
    /// <summary>The fixed number of epochs was reached.</summary>
    public const string FixedEpochs = "fixed-epochs";

    /// <summary>Validation accuracy reached the dense network's.</summary>
    public const string AccuracyRecovered = "accuracy-recovered";

    /// <summary>The flow distance fell below epsilon (ICP).</summary>
    public const string FlowConsistent = "flow-consistent";

    /// <summary>The policy's epoch limit was reached first.</summary>
    public const string MaxEpochs = "max-epochs";
}
