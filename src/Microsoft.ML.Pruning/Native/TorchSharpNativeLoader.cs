using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Microsoft.ML.Pruning.Native;

/// <summary>
/// Makes TorchSharp's native libraries loadable before the first TorchSharp call, with no manual step.
/// </summary>
/// <remarks>
/// <para>
/// TorchSharp's <c>libLibTorchSharp.so</c> requires <c>GLIBCXX_3.4.32</c> for a single link-time marker symbol that
/// is never called. On distributions whose libstdc++ stops at an older version (Debian 12, Ubuntu 22.04) the load
/// fails, and TorchSharp reports a misleading "missing package reference" error.
/// </para>
/// <para>
/// Where, and only where, the system libstdc++ lacks a version the shim needs, this class writes a private copy of
/// the shim with those requirements marked weak (see <see cref="ElfVersionPatcher"/>), preloads libtorch from its
/// original folder and loads the copy. TorchSharp then binds to the already-loaded library through its SONAME.
/// The copy is cached per user (never in the NuGet cache) under a name derived from the original file's hash, and
/// is published with an atomic rename so concurrent processes are safe.
/// </para>
/// <para>The library calls <see cref="EnsureLoaded"/> itself; apps that use TorchSharp directly before any
/// pruning type may call it first.</para>
/// </remarks>
public static class TorchSharpNativeLoader
{
    private const string ShimFileName = "libLibTorchSharp.so";
    private const string StdCxxSoName = "libstdc++.so.6";
    private static readonly string[] LibTorchPreload = { "libc10.so", "libtorch_cpu.so", "libtorch.so" };
    private static readonly object Gate = new();
    private static bool s_done;
    private static Exception? s_failure;

    /// <summary>The environment variable that overrides where the patched native shim is cached.</summary>
    public const string CacheDirectoryVariable = "MLNET_PRUNING_NATIVE_CACHE";

    /// <summary>True when this process loaded a patched copy of TorchSharp's native shim.</summary>
    public static bool UsedPatchedShim { get; private set; }

    /// <summary>The path of the patched shim this process loaded, or null when none was needed.</summary>
    public static string? PatchedShimPath { get; private set; }

    /// <summary>
    /// Ensures TorchSharp's native backend can be loaded in this process. Idempotent and thread-safe.
    /// </summary>
    /// <exception cref="InvalidOperationException">The native libraries cannot be found or loaded; the message
    /// carries the real cause (for example the dynamic loader's error text).</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (s_failure is not null)
            {
                throw new InvalidOperationException(s_failure.Message, s_failure);
            }

            if (s_done)
            {
                return;
            }

            try
            {
                LoadCore();
                s_done = true;
            }
            catch (Exception e)
            {
                s_failure = e;
                throw new InvalidOperationException(e.Message, e);
            }
        }
    }

    private static void LoadCore()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return; // TorchSharp's own loader handles the platforms whose packages it ships without this problem.
        }

        string shim = FindNativeFile(ShimFileName)
            ?? throw new InvalidOperationException(
                $"TorchSharp's native shim '{ShimFileName}' was not found next to the application or in the NuGet package folder. " +
                "Reference the 'TorchSharp' and 'libtorch-cpu-linux-x64' packages (Microsoft.ML.Pruning brings both).");

        byte[] shimBytes = File.ReadAllBytes(shim);
        var missing = MissingStdCxxVersions(shimBytes, shim);
        if (missing.Count == 0)
        {
            return; // The system libstdc++ is new enough: TorchSharp loads on its own.
        }

        string libtorchDir = FindLibTorchDirectory(Path.GetDirectoryName(shim)!)
            ?? throw new InvalidOperationException(
                "libtorch ('libtorch_cpu.so') was not found next to the application or in the NuGet package folder. " +
                "Reference the 'libtorch-cpu-linux-x64' package.");
        foreach (var lib in LibTorchPreload)
        {
            LoadOrExplain(Path.Combine(libtorchDir, lib), "libtorch");
        }

        string patched = PublishPatchedCopy(shimBytes, shim, missing, CacheRoots());
        LoadOrExplain(patched,
            $"the patched TorchSharp shim (versions {string.Join(", ", missing)} of {StdCxxSoName} marked weak)");
        UsedPatchedShim = true;
        PatchedShimPath = patched;
    }

    /// <summary>The libstdc++ versions the shim requires that the process's libstdc++ does not define.</summary>
    internal static IReadOnlyList<string> MissingStdCxxVersions(byte[] shimBytes, string shimPath)
    {
        var needed = ElfVersionPatcher.ReadVersionNeeds(shimBytes, shimPath)
            .Where(n => n.Library == StdCxxSoName && !n.IsWeak)
            .Select(n => n.Version)
            .ToList();
        if (needed.Count == 0)
        {
            return needed;
        }

        string stdcxx = LoadedLibraryPath(StdCxxSoName)
            ?? throw new InvalidOperationException($"The system C++ runtime '{StdCxxSoName}' could not be loaded.");
        var provided = ElfVersionPatcher.ReadVersionDefinitions(File.ReadAllBytes(stdcxx), stdcxx);
        return needed.Where(v => !provided.Contains(v)).Distinct().OrderBy(v => v, StringComparer.Ordinal).ToList();
    }

    /// <summary>Writes (or reuses) the patched copy under the first writable root; returns its path.</summary>
    internal static string PublishPatchedCopy(byte[] original, string originalPath, IReadOnlyList<string> versions, IEnumerable<string> cacheRoots)
    {
        string hash = Convert.ToHexString(SHA256.HashData(original)).Substring(0, 16).ToLowerInvariant();
        string key = hash + "-" + string.Join("_", versions).Replace('.', '-');
        Exception? last = null;
        foreach (var root in cacheRoots)
        {
            try
            {
                string dir = Path.Combine(root, key);
                string target = Path.Combine(dir, ShimFileName);
                if (File.Exists(target) && IsValidPatchedCopy(target, original.Length, versions))
                {
                    return target;
                }

                Directory.CreateDirectory(dir);
                byte[] patched = ElfVersionPatcher.MarkWeak(original, originalPath, StdCxxSoName, versions);
                string temp = Path.Combine(dir, $".{ShimFileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
                File.WriteAllBytes(temp, patched);
                // rename(2) is atomic: a concurrent process sees either no file or a complete one.
                File.Move(temp, target, overwrite: true);
                return target;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                last = e;
            }
        }

        throw new InvalidOperationException(
            $"No writable folder was found for the patched TorchSharp shim; set {CacheDirectoryVariable} to a writable folder.", last);
    }

    private static bool IsValidPatchedCopy(string path, int expectedLength, IReadOnlyList<string> versions)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (bytes.Length != expectedLength)
            {
                return false;
            }

            var needs = ElfVersionPatcher.ReadVersionNeeds(bytes, path);
            return versions.All(v => needs.Any(n => n.Library == StdCxxSoName && n.Version == v && n.IsWeak));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static IEnumerable<string> CacheRoots()
    {
        string? custom = Environment.GetEnvironmentVariable(CacheDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(custom))
        {
            yield return custom;
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrWhiteSpace(xdg))
        {
            yield return Path.Combine(xdg, "microsoft.ml.pruning", "native");
        }
        else if (!string.IsNullOrWhiteSpace(home))
        {
            yield return Path.Combine(home, ".cache", "microsoft.ml.pruning", "native");
        }

        yield return Path.Combine(Path.GetTempPath(), $"microsoft.ml.pruning-{Environment.UserName}", "native");
    }

    private static void LoadOrExplain(string path, string what)
    {
        try
        {
            NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException($"Loading {what} from '{path}' failed: {e.Message}", e);
        }
    }

    /// <summary>The file a loaded (or loadable) library was mapped from, read from <c>/proc/self/maps</c>.</summary>
    internal static string? LoadedLibraryPath(string soName)
    {
        NativeLibrary.TryLoad(soName, out _);
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash >= 0 && Path.GetFileName(line.AsSpan(slash)).StartsWith(soName, StringComparison.Ordinal))
            {
                return line.Substring(slash).Trim();
            }
        }

        return null;
    }

    /// <summary>The original TorchSharp shim this process would load, or null.</summary>
    internal static string? FindShim() => FindNativeFile(ShimFileName);

    private static string? FindNativeFile(string fileName) =>
        NativeSearchDirectories().Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);

    private static string? FindLibTorchDirectory(string shimDirectory) =>
        new[] { shimDirectory }.Concat(NativeSearchDirectories())
            .FirstOrDefault(d => LibTorchPreload.All(lib => File.Exists(Path.Combine(d, lib))));

    /// <summary>Where .NET itself would look for native libraries, then the NuGet package folder.</summary>
    private static IEnumerable<string> NativeSearchDirectories()
    {
        // Set by the host from deps.json: covers apps, tests and notebooks that run out of the NuGet cache.
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string probing)
        {
            foreach (var dir in probing.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                yield return dir;
            }
        }

        string rid = "linux-x64";
        foreach (var baseDir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location) })
        {
            if (string.IsNullOrEmpty(baseDir))
            {
                continue;
            }

            yield return baseDir;
            yield return Path.Combine(baseDir, "runtimes", rid, "native");
        }

        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string torchSharpVersion = typeof(TorchSharp.torch).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "";
        yield return Path.Combine(packages, "torchsharp", torchSharpVersion, "runtimes", rid, "native");
        string libtorchRoot = Path.Combine(packages, "libtorch-cpu-linux-x64");
        if (Directory.Exists(libtorchRoot))
        {
            foreach (var dir in Directory.EnumerateDirectories(libtorchRoot).OrderByDescending(d => d, StringComparer.Ordinal))
            {
                yield return Path.Combine(dir, "runtimes", rid, "native");
            }
        }
    }
}
