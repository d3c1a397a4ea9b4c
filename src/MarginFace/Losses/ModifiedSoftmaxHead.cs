using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>
/// Modified softmax (Liu et al. 2017, SphereFace §3.1): weights normalised, features not, no bias:
/// logits_j = x · W_j/|W_j| = |x| cos θ_j.
/// </summary>
public sealed class ModifiedSoftmaxHead : MarginHead
{
    /// <summary>A modified-softmax head for <paramref name="classes"/> classes of <paramref name="features"/>-D embeddings.</summary>
    public ModifiedSoftmaxHead(int features, int classes) : base(nameof(ModifiedSoftmaxHead), features, classes, classes) { }

    /// <summary>|x|·cos θ_j = x·W_j/|W_j| for every class.</summary>
    protected override Tensor Logits(Tensor embeddings, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var inverseNorms = AngularMath.RowNorms(Weight).clamp_min(AngularMath.NormEpsilon).reciprocal();
        return (embeddings.matmul(Weight.t()) * inverseNorms).MoveToOuterDisposeScope();
    }
}
