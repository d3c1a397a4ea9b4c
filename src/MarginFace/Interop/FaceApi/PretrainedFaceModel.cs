using MarginFace.FaceModels;
using MarginFace.Models;
using MarginFace.Interop.Onnx;
using MarginFace.Runtime;

namespace MarginFace.Interop.FaceApi;

/// <summary>
/// face-api's pretrained descriptor (<see cref="FaceApiModel"/>) as a ready <see cref="FaceModel"/>: backbone
/// <c>faceapi-resnet</c> of <see cref="BackboneFactory"/>, input 150×150 RGB normalised by
/// <see cref="PixelNormalization.FaceApiMeanRgb"/>, crop <see cref="Crop"/> (detection and alignment onto dlib's 150×150 chip,
/// <see cref="Pipeline.AlignmentTemplate.DlibChip150"/>), 128-D, and the model id a face model file of these weights gets.
/// </summary>
public static class PretrainedFaceModel
{
    /// <summary>The factory name of the network.</summary>
    public const string Backbone = "faceapi-resnet";

    /// <summary>
    /// The cosine threshold of <see cref="FaceModelInfo.VerificationThreshold"/>: the mean of the ten fold thresholds (0.9110 to
    /// 0.9119) of LFW View 2 (pairs.txt) through the default pipeline (SSD MobileNet V1, five points from the 68-point
    /// landmarks onto dlib's chip, flip fusion), 99.15 % (docs/interop.md). dlib's descriptors are not centred, so cosines of
    /// different people are high too.
    /// </summary>
    public const double LfwThreshold = 0.9117;

    /// <summary>
    /// The model, fetching face-api's weights (npm package <c>@vladmandic/face-api</c>) into <paramref name="cacheRoot"/>
    /// (default: MarginFace's cache folder) on first use with <c>npm pack</c>, the files checked by SHA-256; needs npm then.
    /// </summary>
    public static FaceModel Fetch(string? cacheRoot = null, IProgress<string>? log = null) => Load(null, cacheRoot, log);

    /// <summary>
    /// The crop the model wants of a whole photo: detect, then align the largest face onto dlib's 150×150 chip by five points
    /// (<see cref="Pipeline.AlignmentTemplate.DlibChip150"/>), so that <c>embed</c>, <c>verify</c> and <c>eval lfw</c> align
    /// by default. The five points come from the default detector's 68 (measured in docs/interop.md).
    /// </summary>
    public const string Crop = "landmarks:150";

    /// <summary>
    /// The id of this model's embeddings (<see cref="FaceModelInfo.ModelId"/>): the first 16 hex digits of the SHA-256 of the
    /// TorchSharp weights <see cref="Load(string)"/> builds from the pinned weights, so the ONNX Runtime path shares its galleries.
    /// A test recomputes it from the weights.
    /// </summary>
    public const string ModelId = "c0df66c4a0e07f13";

    /// <summary>
    /// The model on ONNX Runtime (no libtorch): the graph of <see cref="FaceApiRecognitionGraph"/> built from the cached weights,
    /// with the metadata a face model export writes, named <c>pretrained</c>. Embeddings equal <see cref="Load(string)"/>'s to
    /// float32 rounding. <paramref name="threads"/> are ONNX Runtime's intra-op threads (0: its default).
    /// </summary>
    internal static OnnxFaceModel OpenOnnx(int threads = 0, IPackageFetcher? fetcher = null, string? cacheRoot = null, IProgress<string>? log = null) =>
        OpenOnnx(new FaceApiModelCache(fetcher, cacheRoot).EnsureAvailable(log), threads);

    /// <summary>The ONNX Runtime model with the weights of the face-api manifest <paramref name="manifestPath"/>.</summary>
    internal static OnnxFaceModel OpenOnnx(string manifestPath, int threads = 0)
    {
        var graph = new TfjsOnnxGraph(TfjsWeightManifest.Read(manifestPath), manifestPath);
        FaceApiRecognitionGraph.Build(graph);
        var info = Info(ModelId);
        foreach (var (key, value) in OnnxModelMetadata.Describe(OnnxModelMetadata.Spec(info)).Concat(OnnxModelMetadata.FaceModel(info)))
            graph.Metadata[key] = value;
        return OnnxFaceModel.Open(graph.ToBytes(), FaceModelLoader.Pretrained, threads);
    }

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
            var info = Info(FaceModelFile.ModelId(backbone.Module));
            return new FaceModel(backbone, info);
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    /// <summary>The description of the pretrained model (both runtimes) with the model id <paramref name="modelId"/>.</summary>
    private static FaceModelInfo Info(string modelId) => new()
    {
        Backbone = Backbone,
        EmbeddingSize = FaceApiResNet.EmbeddingSize,
        InputWidth = FaceApiResNet.InputSize,
        InputHeight = FaceApiResNet.InputSize,
        Channels = 3,
        Normalization = PixelNormalization.FaceApiMeanRgb,
        Crop = Crop,
        TrainingConfig = $"pretrained: {FaceApiModelCache.Spec}, model/{FaceApiModelCache.WeightsFile} (dlib ResNet-29 face descriptor, King 2017)",
        VerificationThreshold = LfwThreshold,
        ModelId = modelId,
    };
}
