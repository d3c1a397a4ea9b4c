using MarginFace.FaceModels;
using MarginFace.Models;
using MarginFace.Runtime;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// face-api's pretrained descriptor (<see cref="FaceApiModel"/>) as a ready <see cref="FaceModel"/>: backbone
/// <c>faceapi-resnet</c> of <see cref="BackboneFactory"/>, input 150×150 RGB normalised by
/// <see cref="PixelNormalization.FaceApiMeanRgb"/>, no crop (the pipeline aligns onto dlib's 150×150 chip,
/// <see cref="Pipeline.AlignmentTemplate.DlibChip150"/>), 128-D, and the model id a face model file of these weights gets.
/// </summary>
public static class PretrainedFaceModel
{
    /// <summary>The factory name of the network.</summary>
    public const string Backbone = "faceapi-resnet";

    /// <summary>
    /// The cosine threshold of <see cref="FaceModelInfo.VerificationThreshold"/>: the mean of the ten fold thresholds (0.9106 to
    /// 0.9156) of LFW View 2 (pairs.txt) through YuNet, dlib-chip alignment and flip fusion, 98.65 % (docs/interop.md). dlib's
    /// descriptors are not centred, so cosines of different people are high too.
    /// </summary>
    public const double LfwThreshold = 0.9139;

    /// <summary>
    /// The model, fetching face-api's weights (npm package <c>@vladmandic/face-api</c>) into <paramref name="cacheRoot"/>
    /// (default: MarginFace's cache folder) on first use with <c>npm pack</c>, the files checked by SHA-256; needs npm then.
    /// </summary>
    public static FaceModel Fetch(string? cacheRoot = null, IProgress<string>? log = null) => Load(null, cacheRoot, log);

    /// <summary>The model, fetching face-api's weights into the cache (<see cref="FaceApiModelCache"/>) on first use.</summary>
    internal static FaceModel Load(IPackageFetcher? fetcher = null, string? cacheRoot = null, IProgress<string>? log = null) =>
        Load(new FaceApiModelCache(fetcher, cacheRoot).EnsureAvailable(log));

    /// <summary>The model with the weights of the face-api manifest <paramref name="manifestPath"/>.</summary>
    public static FaceModel Load(string manifestPath)
    {
        var weights = TfjsWeightManifest.Read(manifestPath);
        var backbone = BackboneFactory.Create(Backbone);
        try
        {
            ((FaceApiResNet)backbone.Module).LoadWeights(weights, manifestPath);
            backbone.Module.eval();
            var spec = backbone.Spec;
            var info = new FaceModelInfo
            {
                Backbone = spec.Name,
                EmbeddingSize = spec.EmbeddingSize,
                InputWidth = spec.InputWidth,
                InputHeight = spec.InputHeight,
                Channels = spec.Channels,
                Normalization = spec.Normalization,
                Crop = "none",
                TrainingConfig = $"pretrained: {FaceApiModelCache.Spec}, model/{FaceApiModelCache.WeightsFile} (dlib ResNet-29 face descriptor, King 2017)",
                VerificationThreshold = LfwThreshold,
                ModelId = FaceModelFile.ModelId(backbone.Module),
            };
            return new FaceModel(backbone, info);
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }
}
