using Microsoft.ML.Pruning.Cli;

namespace Microsoft.ML.Pruning.Tests.Cli;

/// <summary>Each command's <c>--help</c> shows examples.</summary>
public sealed class HelpTests
{
    [Theory]
    [InlineData("prune")]
    [InlineData("bench")]
    [InlineData("inspect")]
    public async Task HelpShowsExamples(string command)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int code = await CliApplication.RunAsync(new[] { command, "--help" }, output, error);

        Assert.True(code == 0, error.ToString());
        Assert.Contains("Examples:", output.ToString());
        Assert.Contains($"mlnet-prune {command}", output.ToString());
    }
}
