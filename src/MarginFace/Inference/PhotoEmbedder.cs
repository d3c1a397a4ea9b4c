using MarginFace.Faces;
using MarginFace.Imaging;

namespace MarginFace.Inference;

/// <summary>
/// Image file → embedding with a face model of either runtime (<see cref="IFaceModel"/>): either the model's own preprocessing of the whole image (its crop, e.g. the
/// centre of an LFW deep-funneled image), or, with a detector, the largest detected face aligned from its five landmarks to
/// the template that matches the model's input (<see cref="FaceModelEmbedder"/>).
/// </summary>
public sealed class PhotoEmbedder(IFaceModel model, FaceDetector? detector = null, bool flip = false)
{
    private readonly FaceModelEmbedder? aligned = detector is null ? null : new FaceModelEmbedder(model, flip);

    /// <summary>The embedding, or null with the reason when no face was found; a note when several were (the largest is used).</summary>
    public (float[]? Embedding, string? Problem, string? Note) Embed(string path)
    {
        var image = ImageFile.Read(path);
        if (detector is null || aligned is null)
            return (model.Embed([image], model.Preprocessing, flip)[0], null, null);
        var faces = detector.Detect(image);
        if (faces.Count == 0) return (null, $"{path}: no face found", null);
        var largest = faces.MaxBy(f => f.Area)!;
        var crop = new FaceAligner(aligned.Template).Align(image, largest);
        return (aligned.Embed(crop), null, faces.Count > 1 ? $"{path}: {faces.Count} faces, used the largest" : null);
    }
}
