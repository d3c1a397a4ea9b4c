using TorchSharp;
using MarginFace.Imaging;
using MarginFace.Models;
using static TorchSharp.torch;

namespace MarginFace.FaceModels;

/// <summary>
/// A loaded face model: its backbone in evaluation mode and its <see cref="FaceModelInfo"/>. <see cref="Embed(IReadOnlyList{RgbImage}, bool, int)"/> turns images
/// into L2-normalised embeddings, optionally fusing each image with its mirror (sum, then normalise; as arcface_torch's
/// evaluation does).
/// </summary>
public sealed class FaceModel(Backbone backbone, FaceModelInfo info) : IFaceModel
{
    /// <summary>α of the flip sum, held for the process: an implicit Scalar may be finalised while the native add still reads it.</summary>
    private static readonly Scalar FlipWeight = 1;

    private Device device = CPU;

    /// <inheritdoc/>
    public FaceModelInfo Info { get; } = info;

    /// <summary>The TorchSharp backbone, for fine-tuning, export or the caller's own forward passes.</summary>
    public nn.Module<Tensor, Tensor> Module => backbone.Module;

    /// <inheritdoc/>
    public FacePreprocessing Preprocessing { get; } = info.Preprocessing();

    /// <summary>Moves the backbone to <paramref name="target"/>; embeddings are computed there.</summary>
    public FaceModel To(Device target)
    {
        backbone.Module.to(target);
        device = target;
        return this;
    }

    /// <summary>Embeddings [N, D] (float32, unit length) of <paramref name="images"/>, computed in batches of <paramref name="batchSize"/>.</summary>
    public float[][] Embed(IReadOnlyList<RgbImage> images, bool flip = false, int batchSize = 64) =>
        Embed(backbone.Module, Preprocessing, device, images, flip, batchSize);

    /// <inheritdoc/>
    public float[][] Embed(IReadOnlyList<RgbImage> images, FacePreprocessing preprocessing, bool flip = false, int batchSize = 64) =>
        Embed(backbone.Module, preprocessing, device, images, flip, batchSize);

    /// <summary>
    /// Embeddings of <paramref name="images"/> by <paramref name="module"/> (which must be in evaluation mode) on
    /// <paramref name="device"/>: preprocess, forward in batches, with <paramref name="flip"/> add the mirror's embedding, normalise.
    /// </summary>
    internal static float[][] Embed(nn.Module<Tensor, Tensor> module, FacePreprocessing p, Device device, IReadOnlyList<RgbImage> images,
        bool flip = false, int batchSize = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var result = new float[images.Count][];
        for (int start = 0; start < images.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, images.Count - start);
            var values = new float[count * p.Length];
            for (int i = 0; i < count; i++) p.Write(images[start + i], values.AsSpan(i * p.Length, p.Length));
            using var quiet = Runtime.NoCollectionSpan.Begin();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = tensor(values, [count, p.Channels, p.Height, p.Width]).to(device);
            var e = module.forward(x);
            if (flip) e = e.add(module.forward(x.flip(3)), FlipWeight);
            var normalised = Losses.AngularMath.Normalize(e, 1).to(float32).cpu();
            var flat = normalised.data<float>().ToArray();
            var d = (int)normalised.shape[1];
            for (int i = 0; i < count; i++) result[start + i] = flat.AsSpan(i * d, d).ToArray();
        }
        return result;
    }

    /// <summary>Disposes the backbone's weights.</summary>
    public void Dispose() => backbone.Dispose();
}
