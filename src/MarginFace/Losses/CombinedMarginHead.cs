using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// InsightFace's combined margin (Deng et al. 2019, §3.4): target logit s·(cos(m1·θ_y + m2) − m3), other logits
/// s·cos θ_j. m1 = 1, m3 = 0 is ArcFace without fallback; m1 = 1, m2 = 0 is CosFace; m1 = m, m2 = m3 = 0 is SphereFace
/// without ψ. Like InsightFace, no correction is made where m1·θ_y + m2 > π: the formula is used as is, so the target
/// logit rises again there (it is not monotonic in θ beyond π); use <see cref="ArcFaceHead"/> for its fallback.
/// </summary>
public sealed class CombinedMarginHead : ScaledMarginHead
{
    private double m1;
    private double m2;
    private double m3;

    /// <summary>A combined-margin head; defaults s = 64, m1 = 1, m2 = 0.5, m3 = 0 make it ArcFace without the fallback.</summary>
    public CombinedMarginHead(int features, int classes, double s = 64, double m1 = 1, double m2 = 0.5, double m3 = 0)
        : base(nameof(CombinedMarginHead), features, classes, classes, s)
    {
        M1 = m1;
        M2 = m2;
        M3 = m3;
    }

    /// <summary>True: non-target logits are s·cos θ_j, so the fused logits path applies.</summary>
    protected internal override bool NonTargetIsScaledCosine => true;

    /// <summary>Multiplicative angular margin m1 (≥ 0).</summary>
    public double M1 { get => m1; set => m1 = Check(value, nameof(m1), 0.0); }

    /// <summary>Additive angular margin m2 in radians.</summary>
    public double M2 { get => m2; set => m2 = Check(value, nameof(m2)); }

    /// <summary>Additive cosine margin m3.</summary>
    public double M3 { get => m3; set => m3 = Check(value, nameof(m3)); }

    /// <summary>cos(m1·θ_y + m2) − m3, without a correction past π.</summary>
    protected override Tensor ModifyTarget(Tensor cosTarget, Tensor embeddings)
    {
        using var scope = NewDisposeScope();
        Tensor result;
        if (m1 == 1.0)
        {
            result = ArcMargin.CosPlus(cosTarget, m2);
        }
        else
        {
            var theta = AngularMath.Angle(cosTarget);
            result = (theta * m1 + m2).cos();
        }
        return (m3 == 0.0 ? result : result - m3).MoveToOuterDisposeScope();
    }
}
