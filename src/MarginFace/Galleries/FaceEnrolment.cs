using MarginFace.FaceModels;
using MarginFace.Pipeline;

namespace MarginFace.Galleries;

/// <summary>
/// Image files → gallery entries: <see cref="FacePipeline"/> (largest face, aligned, embedded) and the file's hash. Problems are
/// collected per image (unreadable file, no face) instead of thrown, so a caller can refuse the whole enrolment and name every
/// bad file; several faces are noted (the largest is used).
/// </summary>
internal sealed class FaceEnrolment(FaceDetector detector, IFaceEmbedder embedder)
{
    private readonly FacePipeline pipeline = new(detector, embedder);

    /// <summary>The entry of one image, or the reason there is none; <see cref="Note"/> says when several faces were found.</summary>
    public sealed record Outcome(string Image, GalleryEntry? Entry, string? Error, bool NoFace, string? Note);

    /// <summary>Reads, detects, aligns and embeds <paramref name="path"/>; an unreadable file or a photo without a face is an outcome, not an exception.</summary>
    public Outcome Prepare(string path)
    {
        float[]? embedding;
        string? problem, note;
        try
        {
            (embedding, problem, note) = pipeline.Embed(path);
        }
        catch (MarginFaceException e)
        {
            return new Outcome(path, null, e.Message, false, null);
        }
        if (embedding is null) return new Outcome(path, null, problem, true, null);
        return new Outcome(path, new GalleryEntry(GalleryEntry.HashFile(path), embedding), null, false, note);
    }
}
