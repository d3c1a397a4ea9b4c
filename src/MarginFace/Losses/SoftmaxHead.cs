using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>Plain softmax classifier without bias: logits = x Wᵀ.</summary>
public sealed class SoftmaxHead : MarginHead
{
    /// <summary>A plain softmax head for <paramref name="classes"/> classes of <paramref name="features"/>-D embeddings (the baseline the margins are measured against).</summary>
    public SoftmaxHead(int features, int classes) : base(nameof(SoftmaxHead), features, classes, classes) { }

    /// <summary>x·Wᵀ: no normalisation, no margin.</summary>
    protected override Tensor Logits(Tensor embeddings, Tensor labels) => embeddings.matmul(Weight.t());
}
