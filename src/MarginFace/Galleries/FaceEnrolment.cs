using MarginFace.Imaging;

using MarginFace.Data;
using MarginFace.Runtime;
using MarginFace.FaceModels;
using MarginFace.Pipeline;
namespace MarginFace.Galleries;

/// <summary>
/// Image files → gallery entries: read, detect, take the largest face, align it to the embedder's template, embed, and hash
/// the file. Problems are collected per image (unreadable file, no face) instead of thrown, so a caller can refuse the whole
/// enrolment and name every bad file; several faces are noted (the largest is used).
/// </summary>
public sealed class FaceEnrolment(FaceDetector detector, IFaceEmbedder embedder)
{
    private readonly FaceAligner aligner = new(embedder.Template);

    /// <summary>The entry of one image, or the reason there is none; <see cref="Note"/> says when several faces were found.</summary>
    public sealed record Outcome(string Image, GalleryEntry? Entry, string? Error, bool NoFace, string? Note);

    public Outcome Prepare(string path)
    {
        RgbImage image;
        try
        {
            image = ImageFile.Read(path);
        }
        catch (MarginFaceException e)
        {
            return new Outcome(path, null, e.Message, false, null);
        }
        var faces = detector.Detect(image);
        if (faces.Count == 0) return new Outcome(path, null, $"{path}: no face found", true, null);
        var face = faces.MaxBy(f => f.Area)!;
        var note = faces.Count > 1 ? $"{path}: {faces.Count} faces, used the largest" : null;
        var embedding = embedder.Embed(aligner.Align(image, face));
        return new Outcome(path, new GalleryEntry(GalleryEntry.HashFile(path), embedding), null, false, note);
    }
}
