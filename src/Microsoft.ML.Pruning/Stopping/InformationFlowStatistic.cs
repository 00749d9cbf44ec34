namespace Microsoft.ML.Pruning.Stopping;

/// <summary>How the standardised correlation matrix of two consecutive layers becomes one number, the pair's information flow.</summary>
public enum InformationFlowStatistic
{
    /// <summary>The mean of the correlations (the ICP paper's definition). Positive and negative correlations cancel, so
    /// the value sits near zero and small changes of the network move it by large relative amounts.</summary>
    Mean,

    /// <summary>The mean of the absolute correlations: how strongly the two layers' units are coupled, whatever the sign;
    /// nothing cancels, so the value is stable and comparable between networks.</summary>
    MeanAbsolute,
}
