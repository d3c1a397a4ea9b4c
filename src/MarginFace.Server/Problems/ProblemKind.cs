namespace MarginFace.Server.Problems;

/// <summary>
/// One kind of error the API answers: its HTTP status, its title and its stable <c>type</c> URI (RFC 9457), which is the
/// heading of that kind in docs/serve.md. Clients switch on <see cref="Type"/>, never on the detail text.
/// </summary>
public sealed record ProblemKind(string Slug, int Status, string Title)
{
    /// <summary>The base of every <see cref="Type"/>: the problem section of docs/serve.md.</summary>
    public const string TypeBase = "https://github.com/marginface/marginface/blob/main/docs/serve.md#problem-";

    /// <summary>The stable URI of this kind.</summary>
    public string Type => TypeBase + Slug;

    public static readonly ProblemKind Unauthorized = new("unauthorized", 401, "API key missing or unknown");
    public static readonly ProblemKind Forbidden = new("forbidden", 403, "API key lacks the scope");
    public static readonly ProblemKind NotFound = new("not-found", 404, "No such resource");
    public static readonly ProblemKind MethodNotAllowed = new("method-not-allowed", 405, "Method not allowed here");
    public static readonly ProblemKind Conflict = new("conflict", 409, "Conflicts with the current state");
    public static readonly ProblemKind BadRequest = new("bad-request", 400, "Bad request");
    public static readonly ProblemKind UploadTooLarge = new("upload-too-large", 413, "Upload too large");
    public static readonly ProblemKind ImageTooLarge = new("image-too-large", 413, "Image has too many pixels");
    public static readonly ProblemKind UnsupportedMedia = new("unsupported-media-type", 415, "Not a photo upload");
    public static readonly ProblemKind BadImage = new("bad-image", 422, "Not a readable image");
    public static readonly ProblemKind NoFace = new("no-face", 422, "No face found");
    public static readonly ProblemKind SeveralFaces = new("several-faces", 422, "Several faces and none chosen");
    public static readonly ProblemKind TooManyFaces = new("too-many-faces", 422, "Too many faces in the photo");
    public static readonly ProblemKind ModelMismatch = new("model-mismatch", 409, "Gallery made by another model");
    public static readonly ProblemKind RateLimited = new("rate-limited", 429, "Too many requests for this API key");
    public static readonly ProblemKind Timeout = new("timeout", 503, "Request took longer than allowed");
    public static readonly ProblemKind NotReady = new("not-ready", 503, "Models are still loading");
    public static readonly ProblemKind Internal = new("internal", 500, "Internal error");

    /// <summary>Every kind, for the documentation test.</summary>
    public static IReadOnlyList<ProblemKind> All { get; } =
        [Unauthorized, Forbidden, NotFound, MethodNotAllowed, Conflict, BadRequest, UploadTooLarge, ImageTooLarge, UnsupportedMedia, BadImage, NoFace,
         SeveralFaces, TooManyFaces, ModelMismatch, RateLimited, Timeout, NotReady, Internal];
}
