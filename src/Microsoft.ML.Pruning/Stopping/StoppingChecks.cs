namespace Microsoft.ML.Pruning.Stopping;

/// <summary>Argument checks the policies share.</summary>
internal static class StoppingChecks
{
    /// <summary>Returns <paramref name="value"/> when it is a positive finite number; throws naming <paramref name="name"/> otherwise.</summary>
    public static double RequirePositive(double value, string name) =>
        value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, $"{name} must be a positive number of epochs.");
}
