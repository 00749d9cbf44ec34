using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Docs;

/// <summary>The README's ML.NET example compiles against this library with <c>using Microsoft.ML;</c> and one namespace of it.</summary>
public sealed class ReadmeExampleTests
{
    private static string Example()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.RepositoryRoot, "README.md"));
        var match = new Regex(@"## Example \(ML\.NET\)\s*```csharp\n(?<code>.*?)```", RegexOptions.Singleline).Match(readme);
        Assert.True(match.Success, "README.md has no ```csharp block under '## Example (ML.NET)'.");
        return match.Groups["code"].Value;
    }

    [Fact]
    public void TheExampleUsesMicrosoftMLAndOneNamespaceOfTheLibrary()
    {
        var usings = Example().Split('\n').Where(l => l.StartsWith("using ", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
        Assert.Contains("using Microsoft.ML;", usings);
        Assert.Single(usings, u => u.StartsWith("using Microsoft.ML.Pruning", StringComparison.Ordinal));
        Assert.Equal(2, usings.Count);
    }

    [Fact]
    public void TheExampleCompiles()
    {
        string code = Example();
        // The example's data comes from the reader's own code: declare it after the usings.
        int body = code.IndexOf("\n\n", StringComparison.Ordinal);
        code = code[..body] + "\nIDataView train = null!, test = null!;\n" + code[body..];
        // What a console app referencing the package compiles against: the framework and the assemblies beside the tests.
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var beside = Directory.GetFiles(AppContext.BaseDirectory, "Microsoft.ML*.dll");
        var references = framework.Concat(beside).GroupBy(Path.GetFileName).Select(g => MetadataReference.CreateFromFile(g.First()));
        // The implicit usings of a new console project (ImplicitUsings enabled).
        const string implicitUsings = "global using System; global using System.IO; global using System.Linq; global using System.Collections.Generic; global using System.Threading.Tasks;";
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("ReadmeExample",
            new[] { CSharpSyntaxTree.ParseText(code, parse), CSharpSyntaxTree.ParseText(implicitUsings, parse) },
            references, new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
