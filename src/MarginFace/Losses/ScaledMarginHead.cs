using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// A <see cref="MarginHead"/> whose logits are s times the (margin-modified) cosine, as in NormFace
/// (Wang et al. 2017) and every normalised-softmax head after it.
/// </summary>
public abstract class ScaledMarginHead : MarginHead
{
    private double s;

    protected ScaledMarginHead(string name, int features, int classes, int weightRows, double s)
        : base(name, features, classes, weightRows)
    {
        S = s;
    }

    /// <summary>Scale s (finite, ≥ 0).</summary>
    public double S
    {
        get => s;
        set => s = Check(value, nameof(s), 0.0);
    }

    protected override Tensor Scale(Tensor logits, Tensor embeddings) => logits * s;
}
