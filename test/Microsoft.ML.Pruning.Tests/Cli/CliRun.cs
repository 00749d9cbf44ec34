using Microsoft.ML.Pruning.Cli;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>Runs <c>mlnet-prune</c> in process and captures what it prints.</summary>
internal static class CliRun
{
    public static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CliApplication.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
