using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// Sub-center ArcFace (Deng et al. 2020): each class has k centres (Weight is [C·k, D], rows c·k … c·k + k − 1 for
/// class c, as in InsightFace); cos θ_j = max over the class's centres, then the ArcFace margin on the target:
/// s·cos(θ_y + m) where cos θ_y > cos(π − m), else s·(cos θ_y − m·sin(π − m)); other logits s·cos θ_j.
/// </summary>
public sealed class SubCenterArcFaceHead : ScaledMarginHead, IAdditiveMargin
{
    private double m;

    /// <summary>A sub-center ArcFace head with <paramref name="k"/> centres per class; k = 3, s = 30, m = 0.5 by default.</summary>
    public SubCenterArcFaceHead(int features, int classes, int k = 3, double s = 30, double m = 0.5)
        : base(nameof(SubCenterArcFaceHead), features, classes, CheckedRows(classes, k), s)
    {
        K = k;
        M = m;
    }

    /// <summary>Sub-centres per class.</summary>
    public int K { get; }

    /// <summary>Additive angular margin m in radians, within [0, π).</summary>
    public double M
    {
        get => m;
        set => m = CheckAngle(value, nameof(m));
    }

    /// <summary>cos θ_j [B,C]: for each class, the largest cosine over its k centres.</summary>
    public override Tensor Cosine(Tensor embeddings)
    {
        ValidateEmbeddings(embeddings);
        using var all = AngularMath.Cosine(embeddings, Weight);
        using var grouped = all.view(embeddings.shape[0], Classes, K);
        return grouped.amax(new long[] { 2 });
    }

    /// <summary>The ArcFace target on the nearest centre: cos(θ_y + m), or cos θ_y − m·sin(π − m) past π − m.</summary>
    protected override Tensor ModifyTarget(Tensor cosTarget, Tensor embeddings) => ArcMargin.Apply(cosTarget, m, easyMargin: false);

    private static int CheckedRows(int classes, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be at least 1.");
        return checked(classes * k);
    }
}
