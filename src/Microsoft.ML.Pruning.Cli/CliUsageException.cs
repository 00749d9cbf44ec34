namespace Microsoft.ML.Pruning.Cli;

/// <summary>Bad usage or bad input: reported as one line, exit code 2, no stack trace.</summary>
internal sealed class CliUsageException(string message, Exception? inner = null) : Exception(message, inner);
