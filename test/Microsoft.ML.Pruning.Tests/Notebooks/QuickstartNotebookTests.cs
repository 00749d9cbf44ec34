using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Notebooks;

/// <summary>
/// Runs docs/notebooks/pruning-quickstart.ipynb cell by cell with the .NET Interactive C# kernel, as Polyglot
/// Notebooks would, against the library this repository builds.
/// </summary>
public sealed class QuickstartNotebookTests
{
    private static readonly Regex PackageReference = new(@"^#r\s+""nuget:\s*Microsoft\.ML\.Pruning\s*(,\s*(?<version>[^""]+))?""\s*$", RegexOptions.Multiline);

    private static string NotebookPath => Path.Combine(RepositoryPaths.RepositoryRoot, "docs", "notebooks", "pruning-quickstart.ipynb");

    private static InteractiveDocument ReadNotebook() => Notebook.Parse(File.ReadAllText(NotebookPath));

    private static List<string> CodeCells(InteractiveDocument notebook) => notebook.Elements
        .Where(e => e.KernelName == "csharp")
        .Select(e => e.Contents)
        .ToList();

    [Fact]
    public void NotebookReferencesTheLibraryPackageAtItsCurrentVersion()
    {
        var cells = CodeCells(ReadNotebook());
        Assert.True(cells.Count >= 5, $"expected the quickstart's C# cells, found {cells.Count}");
        var references = cells.SelectMany(c => PackageReference.Matches(c)).ToList();
        var reference = Assert.Single(references);

        var version = typeof(Microsoft.ML.Pruning.MLNet.IterativePruningOptions).Assembly.GetName().Version!;
        Assert.Equal($"{version.Major}.{version.Minor}.{version.Build}", reference.Groups["version"].Value.Trim());
    }

    [Fact]
    public async Task EveryCodeCellRunsWithoutErrorAndLeavesTheReportChartsAndOnnxModel()
    {
        var cells = CodeCells(ReadNotebook());
        using var temp = new TempDirectory();
        var displayed = new List<FormattedValue>();
        string previousDirectory = Environment.CurrentDirectory;

        // Polyglot Notebooks runs a notebook with its folder as the working directory; here that is a temp folder.
        Environment.CurrentDirectory = temp.Path;
        try
        {
            using var kernel = new CSharpKernel().UseKernelHelpers().UseValueSharing();
            for (int i = 0; i < cells.Count; i++)
            {
                var result = await kernel.SendAsync(new SubmitCode(WithBuiltLibrary(cells[i])));
                var output = new StringBuilder();
                string? failure = null;
                foreach (var e in result.Events)
                {
                    switch (e)
                    {
                        case StandardOutputValueProduced o:
                            output.Append(string.Concat(o.FormattedValues.Select(v => v.Value)));
                            break;
                        case ErrorProduced err:
                            failure ??= err.Message;
                            break;
                        case DisplayEvent d:
                            displayed.AddRange(d.FormattedValues);
                            break;
                        case CommandFailed f:
                            failure = f.Message;
                            break;
                    }
                }

                Assert.True(failure is null, $"cell {i + 1} of {cells.Count} failed: {failure}\n--- cell ---\n{cells[i]}\n--- output ---\n{output}");
            }
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
        }

        string outDir = Path.Combine(temp.Path, "pruning-quickstart-output");
        foreach (var file in new[] { "digits-icp.onnx", "digits-icp.zip", "table-binary.zip", "icp-report/report.json", "icp-report/report.md", "icp-report/accuracy-vs-sparsity.png", "icp-report/flow-distance.png" })
        {
            Assert.True(File.Exists(Path.Combine(outDir, file)), $"the notebook did not write {file}");
        }

        // Four charts shown inline as PNG, and both reports as Markdown.
        Assert.Equal(4, displayed.Count(v => v.MimeType == "text/html" && v.Value.Contains("data:image/png;base64,iVBORw0KGgo", StringComparison.Ordinal)));
        Assert.Equal(2, displayed.Count(v => v.MimeType == "text/markdown" && v.Value.Contains("| round |", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Swaps the notebook's NuGet reference to the library for references to the assemblies this test runs with, which
    /// are what the package restores: the library and the ML.NET, ONNX Runtime and TorchSharp assemblies it brings.
    /// </summary>
    private static string WithBuiltLibrary(string cell)
    {
        if (!PackageReference.IsMatch(cell))
        {
            return cell;
        }

        string bin = AppContext.BaseDirectory;
        var assemblies = Directory.GetFiles(bin, "*.dll")
            .Where(p => Path.GetFileName(p) is var n && (n.StartsWith("Microsoft.ML.", StringComparison.Ordinal) || n == "TorchSharp.dll"))
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.ML.Pruning.Tests", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => $"#r \"{p}\"");
        return PackageReference.Replace(cell, string.Join("\n", assemblies));
    }
}
