using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MarginFace.Benchmarks;

/// <summary>
/// ArcFace as the seed code's users write it (the common PyTorch recipe): cos = linear(normalize(x), normalize(W)),
/// sin = sqrt(clamp(1 − cos², 0, 1)), φ = cos·cos m − sin·sin m, φ = where(cos > cos(π − m), φ, cos − m·sin(π − m)),
/// one-hot [B,C], logits = s·(onehot·φ + (1 − onehot)·cos), cross-entropy. Every step is a full [B,C] matrix; kept as
/// the baseline the fused heads are measured against.
/// </summary>
internal static class SeedArcFace
{
    /// <summary>Cross-entropy loss of the seed formulation for embeddings x [B,D], weights W [C,D] and labels [B].</summary>
    public static Tensor Loss(Tensor x, Tensor weight, Tensor labels, double s = 30, double m = 0.5)
    {
        using var scope = NewDisposeScope();
        var cosine = F.linear(F.normalize(x), F.normalize(weight));
        var sine = (1.0 - cosine.pow(2)).clamp(0, 1).sqrt();
        var phi = cosine * Math.Cos(m) - sine * Math.Sin(m);
        phi = where(cosine > Math.Cos(Math.PI - m), phi, cosine - Math.Sin(Math.PI - m) * m);
        var oneHot = zeros_like(cosine).scatter_(1, labels.view(-1, 1), ones(labels.shape[0], 1, dtype: cosine.dtype, device: cosine.device));
        var output = (oneHot * phi + (1.0 - oneHot) * cosine) * s;
        return F.cross_entropy(output, labels).MoveToOuterDisposeScope();
    }
}
