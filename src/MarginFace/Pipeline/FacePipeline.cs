using MarginFace.FaceModels;
using MarginFace.Galleries;
using MarginFace.Imaging;

namespace MarginFace.Pipeline;

/// <summary>
/// The one way to embed a photo: read → detect → pick the largest face → align it to the model's template → embed; or, without
/// a detector, the model's own preprocessing of the whole image (its crop, e.g. the centre of an LFW deep-funneled image).
/// <see cref="EmbedFaces(string)"/> embeds every face of a photo instead (a group photo for <c>identify</c>). Used by
/// <c>embed</c>, <c>verify</c>, <c>enroll</c> and <c>identify</c>, by <see cref="FaceEnrolment"/>, and in the README's example.
/// </summary>
public sealed class FacePipeline
{
    private readonly IFaceModel? model;
    private readonly FaceDetector? detector;
    private readonly IFaceEmbedder? aligned;
    private readonly FaceAligner? aligner;
    private readonly bool flip;

    /// <summary>A pipeline over <paramref name="model"/>: with a detector, faces are aligned to the model's template first.</summary>
    public FacePipeline(IFaceModel model, FaceDetector? detector = null, bool flip = false)
    {
        this.model = model;
        this.detector = detector;
        this.flip = flip;
        aligned = detector is null ? null : new FaceModelEmbedder(model, flip);
        aligner = aligned is null ? null : new FaceAligner(aligned.Template);
    }

    /// <summary>A pipeline that detects with <paramref name="detector"/> and embeds aligned faces with <paramref name="embedder"/>.</summary>
    public FacePipeline(FaceDetector detector, IFaceEmbedder embedder)
    {
        this.detector = detector;
        aligned = embedder;
        aligner = new FaceAligner(embedder.Template);
    }

    /// <summary>Images (or, with a detector, aligned faces) embedded per forward pass by <see cref="EmbedAll"/>.</summary>
    public const int BatchSize = 64;

    /// <summary>
    /// <see cref="Embed"/> of every path, in order, reporting each result to <paramref name="report"/> (a <see cref="MarginFaceException"/>
    /// for an unreadable file, with the other results unaffected). The images, or with a detector their aligned faces, go through the
    /// model <see cref="BatchSize"/> at a time, one forward pass per batch instead of per image.
    /// </summary>
    public void EmbedAll(IReadOnlyList<string> paths, Action<string, (float[]? Embedding, string? Problem, string? Note)?, MarginFaceException?> report)
    {
        for (int start = 0; start < paths.Count; start += BatchSize)
        {
            var read = new List<(string Path, RgbImage? Input, string? Problem, string? Note, MarginFaceException? Error)>();
            foreach (var path in paths.Skip(start).Take(BatchSize))
            {
                try
                {
                    var (input, problem, note) = Prepare(path, ImageFile.Read(path));
                    read.Add((path, input, problem, note, null));
                }
                catch (MarginFaceException e)
                {
                    read.Add((path, null, null, null, e));
                }
            }
            float[][] embeddings;
            try
            {
                embeddings = EmbedInputs(read.Where(r => r.Input is not null).Select(r => r.Input!).ToList());
            }
            catch (MarginFaceException)
            {
                // One input the model refuses: embed the batch one by one, so only that image fails.
                foreach (var (path, input, problem, note, error) in read)
                {
                    if (input is null) report(path, error is null ? (null, problem, note) : null, error);
                    else
                    {
                        try
                        {
                            report(path, (EmbedInputs([input])[0], null, note), null);
                        }
                        catch (MarginFaceException e)
                        {
                            report(path, null, e);
                        }
                    }
                }
                continue;
            }
            int next = 0;
            foreach (var (path, input, problem, note, error) in read)
            {
                if (error is not null) report(path, null, error);
                else report(path, (input is null ? null : embeddings[next++], problem, note), null);
            }
        }
    }

    /// <summary>The embedding, or null with the reason when no face was found; a note when several were (the largest is used).</summary>
    public (float[]? Embedding, string? Problem, string? Note) Embed(string path)
    {
        var (input, problem, note) = Prepare(path, ImageFile.Read(path));
        return (input is null ? null : EmbedInputs([input])[0], problem, note);
    }

    /// <summary>
    /// Every face of the photo at <paramref name="path"/> with its embedding, in the detector's order (empty when there is none);
    /// the aligned faces go through the model <see cref="BatchSize"/> at a time. Needs a detector.
    /// </summary>
    public IReadOnlyList<EmbeddedFace> EmbedFaces(string path) => EmbedFaces(ImageFile.Read(path));

    /// <summary>Every face of <paramref name="image"/> with its embedding, in the detector's order (empty when there is none). Needs a detector.</summary>
    public IReadOnlyList<EmbeddedFace> EmbedFaces(RgbImage image) => EmbedFaces(image, Detect(image));

    /// <summary>The embeddings of <paramref name="faces"/>, found in <paramref name="image"/> by <see cref="Detect"/>, in their order.</summary>
    public IReadOnlyList<EmbeddedFace> EmbedFaces(RgbImage image, IReadOnlyList<DetectedFace> faces)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(faces);
        var faceAligner = aligner ?? throw new InvalidOperationException("embedding every face needs a pipeline with a detector.");
        if (faces.Count == 0) return [];
        var embeddings = EmbedInputs([.. faces.Select(face => faceAligner.Align(image, face))]);
        return [.. faces.Select((face, i) => new EmbeddedFace(face, embeddings[i]))];
    }

    /// <summary>The faces the pipeline's detector finds in <paramref name="image"/> (what <see cref="EmbedFaces(RgbImage)"/> embeds). Needs a detector.</summary>
    public IReadOnlyList<DetectedFace> Detect(RgbImage image) =>
        (detector ?? throw new InvalidOperationException("detecting faces needs a pipeline with a detector.")).Detect(image);

    /// <summary>What the model is given for an image: the image itself, or with a detector its subject (<see cref="FaceSelection.Subject"/>) aligned (null when there is no face).</summary>
    private (RgbImage? Input, string? Problem, string? Note) Prepare(string path, RgbImage image)
    {
        if (detector is null || aligner is null) return (image, null, null);
        var faces = detector.Detect(image);
        if (faces.Count == 0) return (null, $"{path}: no face found", null);
        var subject = FaceSelection.Subject(faces, image.Width, image.Height)!;
        return (aligner.Align(image, subject), null, faces.Count > 1 ? $"{path}: {faces.Count} faces, used the largest over the centre" : null);
    }

    private float[][] EmbedInputs(IReadOnlyList<RgbImage> inputs) => aligned switch
    {
        null => model!.Embed(inputs, model.Preprocessing, flip, BatchSize),
        FaceModelEmbedder batched => batched.Embed(inputs, BatchSize),
        _ => inputs.Select(aligned.Embed).ToArray(),
    };
}
