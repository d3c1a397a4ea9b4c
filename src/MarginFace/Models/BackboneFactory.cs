using MarginFace.Interop.FaceApi;
using MarginFace.Mnist;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>
/// The one registry of networks: every backbone (face and MNIST) is created here by name, with its <see cref="BackboneSpec"/>.
/// </summary>
public static class BackboneFactory
{
    private sealed record Entry(
        string Name, int InputSize, int Channels, PixelNormalization Normalization, int DefaultEmbedding,
        Func<int, double, nn.Module<Tensor, Tensor>> Create, bool FixedEmbedding = false, bool HasDropout = true);

    private static readonly Entry[] Entries =
    [
        new("facemobilenet", FaceMobileNet.InputSize, 1, PixelNormalization.Symmetric, 512, (d, _) => new FaceMobileNet(d), HasDropout: false),
        new("mobilefacenet", 112, 3, PixelNormalization.Centered128, 128, (d, p) => new MobileFaceNet(d, dropout: p)),
        new("mobilefacenet64", 64, 3, PixelNormalization.Centered128, 128, (d, p) => new MobileFaceNet(d, inputSize: 64, dropout: p)),
        new("mobilefacenet96", 96, 3, PixelNormalization.Centered128, 128, (d, p) => new MobileFaceNet(d, inputSize: 96, dropout: p)),
        new("mbf", 112, 3, PixelNormalization.Symmetric, 512, (d, p) => new MobileFaceNet(d, widthScale: 2, dropout: p)),
        new("iresnet18", IResNet.InputSize, 3, PixelNormalization.Symmetric, 512, (d, p) => new IResNet([2, 2, 2, 2], d, p)),
        new("iresnet34", IResNet.InputSize, 3, PixelNormalization.Symmetric, 512, (d, p) => new IResNet([3, 4, 6, 3], d, p)),
        new("iresnet50", IResNet.InputSize, 3, PixelNormalization.Symmetric, 512, (d, p) => new IResNet([3, 4, 14, 3], d, p)),
        new("iresnet100", IResNet.InputSize, 3, PixelNormalization.Symmetric, 512, (d, p) => new IResNet([3, 13, 30, 3], d, p)),
        new("clsnet", 28, 1, PixelNormalization.Mnist, 2, (d, _) => FeatureNetworkFactory.Create("clsnet", d), HasDropout: false),
        new("lenetpp", 28, 1, PixelNormalization.Mnist, 2, (d, _) => FeatureNetworkFactory.Create("lenetpp", d), HasDropout: false),
        new("faceapi-resnet", FaceApiResNet.InputSize, 3, PixelNormalization.FaceApiMeanRgb, FaceApiResNet.EmbeddingSize,
            (_, _) => new FaceApiResNet(), FixedEmbedding: true, HasDropout: false),
    ];

    /// <summary>
    /// Every name <see cref="Create"/> accepts: <c>facemobilenet</c> (the seeds' 128×128 grey network), <c>mobilefacenet</c>
    /// (Chen et al. 2018, 128-D), <c>mobilefacenet64</c> (the same at 64×64 input with a 4×4 GDC: a third of the cost, for
    /// small data and CPUs), <c>mobilefacenet96</c> (96×96 with a 6×6 GDC: 2.3× <c>mobilefacenet64</c>'s training time on 2 CPU
    /// cores), <c>mbf</c> (arcface_torch's twice-as-wide MobileFaceNet, 512-D), <c>iresnet18|34|50|100</c>,
    /// the MNIST networks <c>clsnet</c> and <c>lenetpp</c>, and <c>faceapi-resnet</c> (face-api's port of dlib's ResNet-29, 150×150
    /// RGB, a fixed 128-D embedding; fresh weights here, face-api's trained ones from <see cref="FaceApiModel"/>).
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    /// <summary>
    /// The canonical (lower-case) name for <paramref name="name"/>; an unknown name throws <see cref="ArgumentException"/>
    /// listing <see cref="Names"/>. Callers check names with it before touching any data.
    /// </summary>
    public static string CheckName(string name) => Find(name).Name;

    /// <summary>The embedding size a backbone gets when none is asked for.</summary>
    public static int DefaultEmbeddingSize(string name) => Find(name).DefaultEmbedding;

    /// <summary>True when the backbone's embedding size cannot be chosen (it is always <see cref="DefaultEmbeddingSize"/>).</summary>
    public static bool HasFixedEmbedding(string name) => Find(name).FixedEmbedding;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="embeddingSize"/> (null: the default) is below 1 or, for a backbone
    /// with a fixed embedding, other than its size. Callers check options with it before touching any data.
    /// </summary>
    public static void CheckEmbeddingSize(string name, int? embeddingSize)
    {
        var entry = Find(name);
        if (embeddingSize is not { } size) return;
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(embeddingSize), size, "the embedding size must be at least 1");
        if (entry.FixedEmbedding && size != entry.DefaultEmbedding)
            throw new ArgumentException($"backbone {entry.Name} has a fixed {entry.DefaultEmbedding}-D embedding, not {size}", nameof(embeddingSize));
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="dropout"/> is outside [0, 1), or above 0 for a backbone without a
    /// dropout layer (MobileFaceNet and mbf have one before the GDC's Linear, IResNet before its fc).
    /// </summary>
    public static void CheckDropout(string name, double dropout)
    {
        var entry = Find(name);
        if (!(dropout is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "the dropout probability must be in [0, 1)");
        if (dropout > 0 && !entry.HasDropout)
            throw new ArgumentException($"backbone {entry.Name} has no dropout layer; the mobilefacenet, mbf and iresnet backbones have one", nameof(dropout));
    }

    /// <summary>
    /// A new backbone named <paramref name="name"/> (case-insensitive) in training mode with fresh weights, producing
    /// <paramref name="embeddingSize"/>-dimensional embeddings (the backbone's default when null), with its spec;
    /// <paramref name="dropout"/> is the training-time dropout probability before the embedding layer (<see cref="CheckDropout"/>).
    /// </summary>
    public static Backbone Create(string name, int? embeddingSize = null, double dropout = 0)
    {
        var entry = Find(name);
        CheckEmbeddingSize(entry.Name, embeddingSize);
        CheckDropout(entry.Name, dropout);
        var size = embeddingSize ?? entry.DefaultEmbedding;
        var module = entry.Create(size, dropout);
        var parameters = module.parameters().Sum(p => p.numel());
        return new Backbone(module, new BackboneSpec(entry.Name, entry.InputSize, entry.InputSize, entry.Channels,
            entry.Normalization, size, parameters));
    }

    private static Entry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant();
        return Entries.FirstOrDefault(e => e.Name == key)
            ?? throw new ArgumentException($"unknown backbone '{name}'; known backbones: {string.Join(", ", Names)}", nameof(name));
    }
}
