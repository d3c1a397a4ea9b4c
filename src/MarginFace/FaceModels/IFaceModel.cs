using MarginFace.Imaging;

namespace MarginFace.FaceModels;

/// <summary>
/// A face model ready to embed, whatever runs it: a MarginFace face model file on TorchSharp (<see cref="FaceModel"/>) or an
/// ONNX model on ONNX Runtime (<see cref="OnnxFaceModel"/>). Embeddings are L2-normalised; with flip, each image's
/// mirror is embedded too and the two summed before normalising (as arcface_torch evaluates).
/// </summary>
public interface IFaceModel : IDisposable
{
    /// <summary>What the model says about itself: input size, channels, normalisation, crop, embedding size, model id.</summary>
    FaceModelInfo Info { get; }

    /// <summary>The preprocessing of a whole photo (the model's crop included).</summary>
    FacePreprocessing Preprocessing { get; }

    /// <summary>
    /// Embeddings (float32, unit length) of <paramref name="images"/> prepared by <paramref name="preprocessing"/> (whose size and
    /// channels must be the model's), computed <paramref name="batchSize"/> images at a time.
    /// </summary>
    float[][] Embed(IReadOnlyList<RgbImage> images, FacePreprocessing preprocessing, bool flip = false, int batchSize = 64);
}
