using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// AdaFace (Kim et al. 2022), as in the authors' code: cosines clamped to [−1+ε, 1−ε] (ε = 1e-3); with the
/// detached feature norm a = clip(|x|, 0.001, 100) and the margin scaler ŝ = clip(h·(a − μ)/(σ + ε), −1, 1),
/// target logit s·(cos(clip(θ_y − m·ŝ, ε, π − ε)) − (m + m·ŝ)), other logits s·cos θ_j. μ, σ are buffers
/// (initially 20 and 100) updated before use by each training forward: μ ← α·mean(a) + (1 − α)·μ, likewise σ with
/// the batch's unbiased std (skipped for a batch of one).
/// </summary>
public sealed class AdaFaceHead : ScaledMarginHead, IAdditiveMargin
{
    /// <summary>ε of the authors' code (cosine and angle clamps, σ guard).</summary>
    public const double Epsilon = 1e-3;

    private double m;
    private double h;
    private double tAlpha;
    private Tensor batch_mean;
    private Tensor batch_std;

    /// <summary>An AdaFace head; defaults are the paper's (m = 0.4, h = 0.333, s = 64, EMA rate α = <paramref name="tAlpha"/> = 0.01).</summary>
    public AdaFaceHead(int features, int classes, double m = 0.4, double h = 0.333, double s = 64, double tAlpha = 0.01)
        : base(nameof(AdaFaceHead), features, classes, classes, s)
    {
        M = m;
        H = h;
        TAlpha = tAlpha;
        batch_mean = full(Array.Empty<long>(), 20.0);
        batch_std = full(Array.Empty<long>(), 100.0);
        register_buffer(nameof(batch_mean), batch_mean);
        register_buffer(nameof(batch_std), batch_std);
    }

    /// <summary>Margin m (≥ 0).</summary>
    public double M { get => m; set => m = Check(value, nameof(m), 0.0); }

    /// <summary>Concentration h of the margin scaler (≥ 0).</summary>
    public double H { get => h; set => h = Check(value, nameof(h), 0.0); }

    /// <summary>EMA rate t_alpha of the norm statistics, within [0, 1].</summary>
    public double TAlpha { get => tAlpha; set => tAlpha = Check(value, nameof(tAlpha), 0.0, 1.0); }

    /// <summary>Running mean μ of feature norms (buffer "batch_mean").</summary>
    public double BatchMean
    {
        get { using var v = batch_mean.to(ScalarType.Float64); return v.item<double>(); }
        set { using var g = no_grad(); batch_mean.fill_(Check(value, nameof(BatchMean))); }
    }

    /// <summary>Running std σ of feature norms (buffer "batch_std").</summary>
    public double BatchStd
    {
        get { using var v = batch_std.to(ScalarType.Float64); return v.item<double>(); }
        set { using var g = no_grad(); batch_std.fill_(Check(value, nameof(BatchStd), 0.0)); }
    }

    /// <summary>cos(clip(θ_y − m·ŝ, ε, π − ε)) − (m + m·ŝ), ŝ the norm-adaptive scaler (μ, σ updated first when training).</summary>
    protected override Tensor ModifyTarget(Tensor cosTarget, Tensor embeddings)
    {
        using var scope = NewDisposeScope();
        Tensor scaler;
        using (no_grad())
        {
            var norms = AngularMath.Norm(embeddings.detach(), 1).clip(0.001, 100.0);
            if (training && norms.shape[0] > 0)
            {
                batch_mean.mul_(1.0 - tAlpha).add_(norms.mean() * tAlpha);
                if (norms.shape[0] > 1)
                    batch_std.mul_(1.0 - tAlpha).add_(norms.std() * tAlpha);
            }
            scaler = ((norms - batch_mean) / (batch_std + Epsilon) * h).clip(-1.0, 1.0);
        }
        var theta = cosTarget.clamp(-1.0 + Epsilon, 1.0 - Epsilon).acos();
        var thetaM = (theta - scaler * m).clamp(Epsilon, Math.PI - Epsilon);
        var result = thetaM.cos() - (scaler * m + m);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>cos θ_j clamped to [−1+ε, 1−ε], as the authors' code does before the target's acos.</summary>
    protected override Tensor ModifyNonTarget(Tensor cos, Tensor cosTarget) => cos.clamp(-1.0 + Epsilon, 1.0 - Epsilon);
}
