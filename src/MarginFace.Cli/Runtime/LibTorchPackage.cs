using System.Runtime.InteropServices;
using System.Text.Json;
using MarginFace.Runtime;
using NuGet.Common;
using NuGet.Configuration;
using NuGet.Packaging;

namespace MarginFace.Cli.Runtime;

/// <summary>
/// The CPU libtorch of the <c>marginface</c> tool, which does not carry one (libtorch is ~600 MB unpacked; NuGet refuses
/// packages over 250 MB): the package TorchSharp-cpu itself uses, <c>libtorch-cpu-linux-x64</c>, pinned by NuGet's content
/// hash. Found, in order, in NuGet's global packages folder (extracted and verified by NuGet's own restore, e.g. of a project
/// that references TorchSharp-cpu; used in place), in MarginFace's cache (<c>CACHE/libtorch/ID.VERSION</c>), or else
/// restored into that cache on first use from the user's NuGet sources (<see cref="NuGetPackageFetcher"/>), staged and
/// renamed into place by <see cref="VerifiedPackageInstall"/>. A libtorch of the user's
/// (<see cref="TorchRuntime.LibTorchVariable"/>, <c>--libtorch</c>) takes precedence and needs none of this.
/// </summary>
internal static class LibTorchPackage
{
    /// <summary>The NuGet package (one package, not split into parts, for 2.10.0 on CPU).</summary>
    public const string Id = "libtorch-cpu-linux-x64";

    /// <summary>The version TorchSharp-cpu 0.107.0 depends on: TorchSharp's glue is built against exactly this libtorch.</summary>
    public const string Version = "2.10.0";

    /// <summary>NuGet's content hash of <c>libtorch-cpu-linux-x64.2.10.0.nupkg</c> (SHA-512, base64), as nuget.org serves it.</summary>
    public const string ContentHash = "YGd/F5T77Urmui3LeXOgXP8xqY+RpSZFcMBwV+tBDYMMtxppKyi8O4ajnWSNSmlSctr6KGvSmfGRhmxRGYfbuA==";

    private const string NativeFolder = "runtimes/linux-x64/native/";
    private const string Licence = "LICENSE-LIBTORCH.txt";

    /// <summary>Where a restore puts the libraries: <c>CACHE/libtorch/libtorch-cpu-linux-x64.2.10.0</c>.</summary>
    public static string CacheDirectory => Path.Combine(CachePaths.Root, "libtorch", $"{Id}.{Version}");

    /// <summary>
    /// The directory holding <c>libtorch_cpu.so</c> and its companions, restoring the package first when no verified copy is
    /// found; throws <see cref="MarginFaceException"/> (one line, with both ways to provide libtorch) when that fails.
    /// </summary>
    public static string Locate(IProgress<string>? log = null)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            throw new MarginFaceException($"libtorch: this tool restores {Id} on Linux x64 only; on {RuntimeInformation.RuntimeIdentifier} reference TorchSharp-cpu from a project instead");
        if (InGlobalPackagesFolder() is { } global) return global;
        var cached = CacheDirectory;
        if (File.Exists(Path.Combine(cached, "libtorch_cpu.so"))) return cached;
        var started = System.Diagnostics.Stopwatch.StartNew();
        log?.Report($"libtorch is not installed: restoring {Id} {Version} (128 MB download, ~600 MB unpacked; first use only) into {cached}");
        new VerifiedPackageInstall(new NuGetPackageFetcher(Id, Version, ContentHash)).Fill($"{Id} {Version}", null,
            new Dictionary<string, string>(), cached, Extract,
            $"connect to a NuGet source (nuget.config), or set {TorchRuntime.LibTorchVariable}=DIR to a libtorch {Version} lib directory (e.g. a PyTorch {Version} install's torch/lib)",
            log);
        log?.Report($"libtorch restored in {started.Elapsed.TotalSeconds:F1} s");
        return cached;
    }

    /// <summary>
    /// The package's native folder in NuGet's global packages folder (<c>NUGET_PACKAGES</c>, else the configured or default
    /// <c>~/.nuget/packages</c>) when NuGet finished extracting it (its <c>.nupkg.metadata</c> is written last) with the
    /// pinned content hash; otherwise null.
    /// </summary>
    public static string? InGlobalPackagesFolder()
    {
        try
        {
            var root = SettingsUtility.GetGlobalPackagesFolder(Settings.LoadDefaultSettings(Environment.CurrentDirectory));
            var package = Path.Combine(root, Id.ToLowerInvariant(), Version);
            var metadata = Path.Combine(package, ".nupkg.metadata");
            var native = Path.Combine(package, NativeFolder);
            if (!File.Exists(metadata) || !File.Exists(Path.Combine(native, "libtorch_cpu.so"))) return null;
            using var json = JsonDocument.Parse(File.ReadAllText(metadata));
            return json.RootElement.TryGetProperty("contentHash", out var hash) && hash.GetString() == ContentHash ? native : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NuGetConfigurationException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Writes the package's Linux x64 native libraries and libtorch's licence from <paramref name="nupkg"/> into <paramref name="directory"/>.</summary>
    private static void Extract(string nupkg, string directory)
    {
        using var reader = new PackageArchiveReader(nupkg);
        var wanted = reader.GetFiles().Where(f => f.StartsWith(NativeFolder, StringComparison.Ordinal) && f.Length > NativeFolder.Length || f == Licence).ToList();
        if (!wanted.Any(f => f.EndsWith("/libtorch_cpu.so", StringComparison.Ordinal)))
            throw new MarginFaceException($"{Id} {Version}: the package has no {NativeFolder}libtorch_cpu.so; the cache was left unchanged");
        foreach (var file in wanted)
            reader.ExtractFile(file, Path.Combine(directory, Path.GetFileName(file)), NullLogger.Instance);
    }
}
