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

    /// <summary>Images embedded per forward pass by <see cref="EmbedAll"/> without a detector.</summary>
    public const int BatchSize = 64;

    /// <summary>
    /// <see cref="Embed"/> of every path, in order, reporting each result to <paramref name="report"/> (a <see cref="MarginFaceException"/>
    /// for an unreadable file, with the other results unaffected). Without a detector the images go through the model
    /// <see cref="BatchSize"/> at a time, one forward pass per batch instead of per image.
    /// </summary>
    public void EmbedAll(IReadOnlyList<string> paths, Action<string, (float[]? Embedding, string? Problem, string? Note)?, MarginFaceException?> report)
    {
        void One(string path, Func<(float[]?, string?, string?)> embed)
        {
            try
            {
                report(path, embed(), null);
            }
            catch (MarginFaceException e)
            {
                report(path, null, e);
            }
        }

        if (detector is not null)
        {
            foreach (var path in paths) One(path, () => Embed(path));
            return;
        }
        for (int start = 0; start < paths.Count; start += BatchSize)
        {
            var read = new List<(string Path, RgbImage? Image, MarginFaceException? Error)>();
            foreach (var path in paths.Skip(start).Take(BatchSize))
            {
                try
                {
                    read.Add((path, ImageFile.Read(path), null));
                }
                catch (MarginFaceException e)
                {
                    read.Add((path, null, e));
                }
            }
            float[][] embeddings;
            try
            {
                embeddings = model.Embed(read.Where(r => r.Image is not null).Select(r => r.Image!).ToList(), model.Preprocessing, flip, BatchSize);
            }
            catch (MarginFaceException)
            {
                // One image the model refuses: embed the batch one by one, so only that image fails.
                foreach (var (path, image, error) in read)
                {
                    if (image is null) report(path, null, error);
                    else One(path, () => (model.Embed([image], model.Preprocessing, flip)[0], null, null));
                }
                continue;
            }
            int next = 0;
            foreach (var (path, image, error) in read)
                report(path, image is null ? null : (embeddings[next++], null, null), error);
        }
    }

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
