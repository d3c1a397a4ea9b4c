namespace MarginFace.Server;

/// <summary>
/// What <c>marginface serve</c> is started with: where the galleries and keys are, which models to run, and the limits every
/// request is held to (each answered with its own status and problem document, docs/serve.md).
/// </summary>
public sealed record ServerOptions
{
    /// <summary>
    /// The default gallery, served as the gallery named <see cref="DefaultGallery"/>: a SQLite file (created when missing) or a
    /// PostgreSQL database (<c>postgres://…</c>, <c>postgresql://…</c> or <c>Host=…</c>; <see cref="MarginFace.Galleries.FaceGalleries.Open"/>).
    /// </summary>
    public required string GalleryPath { get; init; }

    /// <summary>A folder the server owns for named galleries (<c>NAME.db</c>); null: only the default gallery, and no create/delete.</summary>
    public string? GalleriesDirectory { get; init; }

    /// <summary>The API keys file; null: <see cref="DefaultKeysPath"/> of <see cref="GalleryPath"/> (required for a PostgreSQL gallery, which has no folder).</summary>
    public string? KeysPath { get; init; }

    /// <summary>The face model reference (<c>pretrained</c>, a face model or an ONNX file).</summary>
    public string Model { get; init; } = "pretrained";

    /// <summary>YuNet's ONNX file for detection; null: face-api's SSD MobileNet V1 with its 68 landmarks (the library's default).</summary>
    public string? DetectorPath { get; init; }

    /// <summary>
    /// Where the pretrained model and the analysis networks are cached (null: MarginFace's cache folder, <c>MARGINFACE_CACHE</c>).
    /// For tests, which keep their own cache without changing the process's environment under other tests.
    /// </summary>
    internal string? CacheRoot { get; init; }

    /// <summary>The HNSW search expansion of every gallery the server opens (<see cref="MarginFace.Galleries.IFaceGallery.SearchExpansion"/>).</summary>
    public int SearchExpansion { get; init; } = MarginFace.Galleries.HnswIndex.DefaultExpansionSearch;

    /// <summary>ONNX Runtime intra-op threads per network (0: its default).</summary>
    public int OnnxThreads { get; init; }

    /// <summary>Largest request body, in bytes (a photo, or the photos of one request); larger is 413 before the body is read.</summary>
    public long MaxUploadBytes { get; init; } = 10L << 20;

    /// <summary>Largest photo, in megapixels, read from the header before any pixel is decoded; larger is 413.</summary>
    public double MaxMegapixels { get; init; } = 40;

    /// <summary>Most faces a photo may have; more is 422 (each face costs an alignment and an embedding).</summary>
    public int MaxFaces { get; init; } = 20;

    /// <summary>Requests per second per API key (a token bucket of this size, refilled every second); more is 429.</summary>
    public int RequestsPerSecond { get; init; } = 20;

    /// <summary>Longest a request may take before it is answered 503 with a timeout problem.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Requests whose photos are being detected, embedded or analysed at once; the others wait their turn (within their time).
    /// More than the cores only adds ONNX Runtime working memory and switching, not throughput.
    /// </summary>
    public int MaxConcurrentInference { get; init; } = Environment.ProcessorCount;

    /// <summary>Photos a request may carry (enrolment and verify).</summary>
    public int MaxPhotos { get; init; } = 10;

    /// <summary>The name of the gallery at <see cref="GalleryPath"/>.</summary>
    public const string DefaultGallery = "default";

    /// <summary>The keys file beside a gallery file: <c>GALLERY.keys.json</c>; a PostgreSQL gallery has none (give the keys file).</summary>
    public static string DefaultKeysPath(string galleryPath) => MarginFace.Galleries.FaceGalleries.IsPostgres(galleryPath)
        ? throw new MarginFaceException("a PostgreSQL --gallery has no folder for its API keys: give --keys FILE")
        : galleryPath + ".keys.json";

    /// <summary>The keys file in use.</summary>
    public string ResolvedKeysPath => KeysPath ?? DefaultKeysPath(GalleryPath);

    /// <summary>Throws a <see cref="MarginFaceException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (MaxUploadBytes < 1) throw new MarginFaceException($"upload limit {MaxUploadBytes} bytes must be at least 1");
        if (!(MaxMegapixels > 0)) throw new MarginFaceException($"megapixel limit {MaxMegapixels} must be positive");
        if (MaxMegapixels * 1_000_000 > MarginFace.Imaging.ImageFile.MaxPixels)
            throw new MarginFaceException($"megapixel limit {MaxMegapixels} is more than the library allows ({MarginFace.Imaging.ImageFile.MaxPixels / 1_000_000} million pixels)");
        if (MaxFaces < 1) throw new MarginFaceException($"faces per image {MaxFaces} must be at least 1");
        if (RequestsPerSecond < 1) throw new MarginFaceException($"requests per second {RequestsPerSecond} must be at least 1");
        if (RequestTimeout <= TimeSpan.Zero) throw new MarginFaceException($"request timeout {RequestTimeout} must be positive");
        if (MaxConcurrentInference < 1) throw new MarginFaceException($"concurrent inferences {MaxConcurrentInference} must be at least 1");
        if (MaxPhotos < 1) throw new MarginFaceException($"photos per request {MaxPhotos} must be at least 1");
        _ = ResolvedKeysPath;
        if (OnnxThreads < 0) throw new MarginFaceException($"ONNX threads {OnnxThreads} must not be negative");
    }
}
