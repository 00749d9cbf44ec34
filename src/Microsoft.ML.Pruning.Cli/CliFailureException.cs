namespace Microsoft.ML.Pruning.Cli;

/// <summary>A run that failed for a reason the user can act on (a full disk, diverged training): one line, exit code 1.</summary>
internal sealed class CliFailureException(string message, Exception? inner = null) : Exception(message, inner);
