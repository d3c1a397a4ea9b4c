using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>Plain softmax classifier without bias: logits = x Wᵀ.</summary>
public sealed class SoftmaxHead : MarginHead
{
    public SoftmaxHead(int features, int classes) : base(nameof(SoftmaxHead), features, classes, classes) { }

    protected override Tensor Logits(Tensor embeddings, Tensor labels) => embeddings.matmul(Weight.t());
}
