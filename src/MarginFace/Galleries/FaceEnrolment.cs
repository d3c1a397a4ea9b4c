using MarginFace.FaceModels;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Galleries;

/// <summary>
/// Image files → gallery entries: <see cref="FacePipeline"/> (the face chosen by a <see cref="FaceSelection"/>, aligned,
/// embedded) and the file's hash. Problems are collected per image (unreadable file, no face, several faces when the selection
/// does not say which) instead of thrown, so a caller can refuse the whole enrolment and name every bad file.
/// </summary>
internal sealed class FaceEnrolment(FaceDetector detector, IFaceEmbedder embedder)
{
    private readonly FacePipeline pipeline = new(detector, embedder);

    /// <summary>
    /// The entry of one image, or the reason there is none: <see cref="NoFace"/> when the detector found none,
    /// <see cref="SeveralFaces"/> when the photo has <see cref="Faces"/> faces and the selection did not say which.
    /// </summary>
    public sealed record Outcome(string Image, GalleryEntry? Entry, string? Error, bool NoFace, string? Note, int Faces = 0, bool SeveralFaces = false);

    /// <summary>
    /// Reads, detects, chooses the face by <paramref name="selection"/> (default <see cref="FaceSelection.Only"/>), aligns and
    /// embeds <paramref name="path"/>; an unreadable file, a photo without a face or with several is an outcome, not an exception.
    /// </summary>
    public Outcome Prepare(string path, FaceSelection? selection = null)
    {
        selection ??= FaceSelection.Only;
        try
        {
            var image = ImageFile.Read(path);
            var faces = pipeline.Detect(image);
            if (faces.Count == 0) return new Outcome(path, null, $"{path}: no face found", true, null);
            var (face, problem) = selection.Choose(faces);
            if (face is null) return new Outcome(path, null, $"{path}: {problem}", false, null, faces.Count, selection == FaceSelection.Only);
            var embedding = pipeline.EmbedFaces(image, [face])[0].Embedding;
            var note = faces.Count > 1
                ? $"{path}: {faces.Count} faces, used {(selection == FaceSelection.Largest ? "the largest" : $"the one at {face.X:0},{face.Y:0},{face.Width:0},{face.Height:0}")}"
                : null;
            return new Outcome(path, new GalleryEntry(GalleryEntry.HashFile(path), embedding), null, false, note, faces.Count);
        }
        catch (MarginFaceException e)
        {
            return new Outcome(path, null, e.Message, false, null);
        }
    }
}
