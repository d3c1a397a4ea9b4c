using MarginFace.Faces;
using MarginFace.Imaging;
using static TorchSharp.torch;

namespace MarginFace.Inference;

/// <summary>
/// An <see cref="IFaceEmbedder"/> over a MarginFace face model file: aligned crops of the template that matches the model's
/// input size (112×112 → ArcFace's, 128×128 and 96×112 its variants, 150×150 dlib's chip) are resized if needed, normalised as
/// the file says, embedded and L2-normalised; with flip, the mirror's embedding is added before normalising.
/// </summary>
public sealed class FaceModelEmbedder : IFaceEmbedder
{
    private readonly FaceModel model;
    private readonly FacePreprocessing aligned;
    private readonly bool flip;

    public FaceModelEmbedder(FaceModel model, bool flip = false)
    {
        this.model = model;
        this.flip = flip;
        aligned = model.Preprocessing with { Crop = FaceCrop.None };
        var info = model.Info;
        Template = AlignmentTemplate.All.FirstOrDefault(t => t.Width == info.InputWidth && t.Height == info.InputHeight) ?? AlignmentTemplate.ArcFace112;
    }

    /// <summary>Loads <paramref name="path"/> (see <see cref="FaceModelFile"/>).</summary>
    public static FaceModelEmbedder Open(string path, bool flip = false) => new(FaceModelFile.Load(path), flip);

    public string ModelId => model.Info.ModelId;

    public AlignmentTemplate Template { get; }

    public FaceModelInfo Info => model.Info;

    public float[] Embed(RgbImage alignedFace) => FaceModel.Embed(model.Module, aligned, CPU, [alignedFace], flip)[0];

    public void Dispose() => model.Dispose();
}
