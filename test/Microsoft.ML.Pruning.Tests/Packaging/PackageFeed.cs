using System.Globalization;
using System.Xml.Linq;
using Microsoft.ML.Pruning.Tests.Infrastructure;

namespace Microsoft.ML.Pruning.Tests.Packaging;

/// <summary>The packaging tests run alone: they build, pack and restore, which would starve any training beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackagingCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "Packaging";
}

/// <summary>
/// A temporary folder feed holding this repository's packages under a version used once
/// (<c>0.1.0-test.&lt;timestamp&gt;</c>), so NuGet's global packages folder can never serve a stale copy.
/// Packs lazily; removes the feed, and the test versions from the global packages folder, on dispose.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);
    private readonly object _gate = new();
    private bool _libraryPacked;
    private bool _toolPacked;

    public PackageFeed()
    {
        Root = Path.Combine(Path.GetTempPath(), "mlnet-pruning-pack", Guid.NewGuid().ToString("N"));
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);
        VersionSuffix = "test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        Version = "0.1.0-" + VersionSuffix;
    }

    /// <summary>A temporary folder for everything the packaging tests write.</summary>
    public string Root { get; }

    /// <summary>The folder feed.</summary>
    public string Feed { get; }

    public string VersionSuffix { get; }

    public string Version { get; }

    /// <summary>The nuget.org source as the repository's NuGet.config names it.</summary>
    public static string NuGetOrgSource()
    {
        var config = XDocument.Load(Path.Combine(RepositoryPaths.RepositoryRoot, "NuGet.config"));
        return config.Descendants("packageSources").Elements("add")
            .Where(e => (string?)e.Attribute("key") == "nuget.org")
            .Select(e => (string?)e.Attribute("value"))
            .FirstOrDefault() ?? throw new InvalidOperationException("The repository's NuGet.config has no nuget.org source.");
    }

    /// <summary>Writes a NuGet.config with the folder feed (and nuget.org when asked) into <paramref name="directory"/>.</summary>
    public void WriteNuGetConfig(string directory, bool withNuGetOrg)
    {
        var sources = new XElement("packageSources",
            new XElement("clear"),
            new XElement("add", new XAttribute("key", "local-feed"), new XAttribute("value", Feed)));
        if (withNuGetOrg)
        {
            sources.Add(new XElement("add", new XAttribute("key", "nuget.org"), new XAttribute("value", NuGetOrgSource()), new XAttribute("protocolVersion", "3")));
        }

        new XDocument(new XElement("configuration", sources)).Save(Path.Combine(directory, "NuGet.config"));
    }

    public void PackLibrary()
    {
        lock (_gate)
        {
            if (!_libraryPacked)
            {
                Pack("src/Microsoft.ML.Pruning");
                _libraryPacked = true;
            }
        }
    }

    public void PackTool()
    {
        lock (_gate)
        {
            if (!_toolPacked)
            {
                Pack("src/Microsoft.ML.Pruning.Cli");
                _toolPacked = true;
            }
        }
    }

    private void Pack(string project)
    {
        var result = ChildProcess.RunOk("dotnet", new[]
        {
            "pack", project, "-c", "Release", "-o", Feed, "--version-suffix", VersionSuffix,
            "-p:IncludeSymbols=false", "-nologo", "-v:q",
        }, RepositoryPaths.RepositoryRoot, BuildTimeout);
        Assert.DoesNotContain(": warning ", result.Output);
    }

    public void Dispose()
    {
        TryDelete(Root);
        // The unique versions this run put in the global packages folder are never used again.
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "microsoft.ml.pruning", "microsoft.ml.pruning.cli" })
        {
            TryDelete(Path.Combine(packages, id, Version));
        }
    }

    internal static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
