using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// CurricularFace (Huang et al. 2020): target logit as ArcFace, s·cos(θ_y + m) or s·(cos θ_y − m·sin(π − m)) past
/// π − m; a non-target j with cos θ_j > cos(θ_y + m) (a hard example) gets s·cos θ_j·(t + cos θ_j), others s·cos θ_j.
/// t is a buffer updated by each training forward, before use: t ← 0.01·mean(cos θ_y) + 0.99·t (not differentiated).
/// With <see cref="HardExampleModulation"/> off the head is ArcFace and t is left alone.
/// </summary>
public sealed class CurricularFaceHead : ScaledMarginHead, IAdditiveMargin
{
    /// <summary>Momentum of the running t.</summary>
    public const double Momentum = 0.01;

    private double m;
    private Tensor t;

    /// <summary>A CurricularFace head; s = 64, m = 0.5 as in the paper.</summary>
    public CurricularFaceHead(int features, int classes, double s = 64, double m = 0.5)
        : base(nameof(CurricularFaceHead), features, classes, classes, s)
    {
        M = m;
        t = zeros(Array.Empty<long>());
        register_buffer(nameof(t), t);
    }

    /// <summary>Additive angular margin m in radians, within [0, π).</summary>
    public double M
    {
        get => m;
        set => m = CheckAngle(value, nameof(m));
    }

    /// <summary>
    /// Whether hard negatives are re-weighted (the curriculum; on by default). Its derivative s·(t + 2 cos θ_j) is negative
    /// for cos θ_j &lt; −t/2, so a hard negative that far away gets a larger logit the further the feature moves from it:
    /// rare in high dimensions, but 2-D features start there and collapse (measured: 19% MNIST test accuracy after one epoch).
    /// The low-dimensional recipe therefore trains as ArcFace during the margin warm-up.
    /// </summary>
    public bool HardExampleModulation { get; set; } = true;

    /// <summary>The running t (buffer "t").</summary>
    public double T
    {
        get { using var v = t.to(ScalarType.Float64); return v.item<double>(); }
        set
        {
            using var noGrad = no_grad();
            t.fill_(Check(value, nameof(T)));
        }
    }

    /// <summary>The ArcFace target: cos(θ_y + m), or cos θ_y − m·sin(π − m) past π − m.</summary>
    protected override Tensor ModifyTarget(Tensor cosTarget, Tensor embeddings) => ArcMargin.Apply(cosTarget, m, easyMargin: false);

    /// <summary>cos θ_j·(t + cos θ_j) for the hard non-targets (cos θ_j > cos(θ_y + m)), cos θ_j for the others; t updated first when training.</summary>
    protected override Tensor ModifyNonTarget(Tensor cos, Tensor cosTarget)
    {
        if (!HardExampleModulation) return cos;
        using var scope = NewDisposeScope();
        if (training && cosTarget.shape[0] > 0)
        {
            using var noGrad = no_grad();
            var mean = cosTarget.detach().mean();
            t.mul_(1.0 - Momentum).add_(mean * Momentum);
        }
        Tensor hard;
        using (no_grad())
            hard = cos.detach() > ArcMargin.CosPlus(cosTarget.detach(), m);
        var result = where(hard, cos * (t + cos), cos);
        return result.MoveToOuterDisposeScope();
    }
}
