using System.CommandLine;
using Microsoft.ML.Pruning.Cli.Commands;

namespace Microsoft.ML.Pruning.Cli;

/// <summary>The <c>mlnet-prune</c> command tree; <see cref="RunAsync"/> is the whole program, callable in-process by tests.</summary>
internal static class CliApplication
{
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("mlnet-prune: find sparse neural networks by iterative magnitude pruning, made cheap by the ICP stopping criterion.");
        root.Subcommands.Add(PruneCommand.Create(output, error));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0 done, 1 failed, 2 bad usage or input).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = Build(output, error);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"mlnet-prune: {parsed.Errors[0].Message} (see 'mlnet-prune --help')");
            return ExitCodes.BadUsage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
        }
        catch (CliUsageException e)
        {
            error.WriteLine($"mlnet-prune: {e.Message}");
            return ExitCodes.BadUsage;
        }
    }
}
