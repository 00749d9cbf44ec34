namespace Microsoft.ML.Pruning.Cli;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;
    public const int Cancelled = 130;
}
