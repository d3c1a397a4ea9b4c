using MarginFace.Data;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.FaceModels;

/// <summary>
/// An <see cref="IFaceEmbedder"/> over a face model (a MarginFace face model file on TorchSharp, or an ONNX model on ONNX Runtime,
/// <see cref="IFaceModel"/>): aligned crops of the template that matches the model's
/// input size (112×112 → ArcFace's, 128×128 and 96×112 its variants, 150×150 dlib's chip) are resized if needed, normalised as
/// the file says, embedded and L2-normalised; with flip, the mirror's embedding is added before normalising.
/// </summary>
public sealed class FaceModelEmbedder : IFaceEmbedder
{
    private readonly IFaceModel model;
    private readonly FacePreprocessing aligned;
    private readonly bool flip;

    /// <summary>Embeds aligned crops with <paramref name="model"/> (its crop skipped: the crops are already faces), adding each mirror's embedding when <paramref name="flip"/>.</summary>
    public FaceModelEmbedder(IFaceModel model, bool flip = false)
    {
        this.model = model;
        this.flip = flip;
        aligned = model.Preprocessing with { Crop = FaceCrop.None };
        var info = model.Info;
        Template = AlignmentTemplate.All.FirstOrDefault(t => t.Width == info.InputWidth && t.Height == info.InputHeight) ?? AlignmentTemplate.ArcFace112;
    }

    /// <summary>Loads <paramref name="path"/>: a face model file or an ONNX model (see <see cref="FaceModelLoader.Open"/>).</summary>
    public static FaceModelEmbedder Open(string path, bool flip = false, OnnxModelConvention convention = OnnxModelConvention.Metadata, int threads = 0) =>
        new(FaceModelLoader.Open(path, convention, threads), flip);

    /// <inheritdoc/>
    public string ModelId => model.Info.ModelId;

    /// <inheritdoc/>
    public AlignmentTemplate Template { get; }

    /// <summary>The model's own description.</summary>
    public FaceModelInfo Info => model.Info;

    /// <inheritdoc/>
    public float[] Embed(RgbImage alignedFace) => model.Embed([alignedFace], aligned, flip)[0];

    /// <summary>Embeddings of aligned crops, <paramref name="batchSize"/> at a time.</summary>
    public float[][] Embed(IReadOnlyList<RgbImage> alignedFaces, int batchSize = 64) => model.Embed(alignedFaces, aligned, flip, batchSize);

    /// <summary>Disposes the model.</summary>
    public void Dispose() => model.Dispose();
}
