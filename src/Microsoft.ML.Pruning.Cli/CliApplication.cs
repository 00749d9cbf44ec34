using System.CommandLine;
using Microsoft.ML.Pruning.Cli.Commands;
using Microsoft.ML.Pruning.Training;

namespace Microsoft.ML.Pruning.Cli;

/// <summary>The <c>mlnet-prune</c> command tree; <see cref="RunAsync"/> is the whole program, callable in-process by tests.</summary>
internal static class CliApplication
{
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="outputStep">Called at every step of writing a run's final files (see <see cref="Output.OutputSet"/>); lets tests stop or fail a run there.</param>
    public static RootCommand Build(TextWriter output, TextWriter error, Action<string>? outputStep = null)
    {
        var root = new RootCommand("mlnet-prune: find sparse neural networks by iterative magnitude pruning, made cheap by the ICP stopping criterion.");
        root.Subcommands.Add(PruneCommand.Create(output, error, outputStep));
        root.Subcommands.Add(BenchCommand.Create(output, error, outputStep));
        root.Subcommands.Add(InspectCommand.Create(output, error));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0 done, 1 failed, 2 bad usage or input, 130 cancelled).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="cancellationToken">Stops the run at its next safe point (Ctrl+C and SIGTERM in the real program).</param>
    /// <param name="outputStep">See <see cref="Build"/>.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default, Action<string>? outputStep = null)
    {
        var root = Build(output, error, outputStep);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"mlnet-prune: {OneLine(parsed.Errors[0].Message)} (see 'mlnet-prune --help')");
            return ExitCodes.BadUsage;
        }

        try
        {
            // Our own handler below reports errors as one line; System.CommandLine's would print a stack trace.
            // Signals come in through cancellationToken (see TerminationSignals), not System.CommandLine's handler.
            var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (CliUsageException e)
        {
            error.WriteLine($"mlnet-prune: {OneLine(e.Message)}");
            return ExitCodes.BadUsage;
        }
        catch (Exception e) when (e is CliFailureException or TrainingDivergedException)
        {
            error.WriteLine($"mlnet-prune: {OneLine(e.Message)}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("mlnet-prune: cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            error.WriteLine($"mlnet-prune: failed: {OneLine(e.Message)} ({e.GetType().Name}; set MLNET_PRUNE_TRACE=1 for the stack trace)");
            if (Environment.GetEnvironmentVariable("MLNET_PRUNE_TRACE") == "1")
            {
                error.WriteLine(e);
            }

            return ExitCodes.Failed;
        }
    }

    /// <summary>Folds a multi-line message onto one line, without libtorch's native stack trace.</summary>
    internal static string OneLine(string message)
    {
        int native = message.IndexOf("Exception raised from", StringComparison.Ordinal);
        if (native > 0)
        {
            message = message[..native];
        }

        return string.Join(" ", message.Split(new[] { '\r', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()));
    }
}
