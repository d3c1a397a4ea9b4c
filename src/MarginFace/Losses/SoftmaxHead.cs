using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Losses;

/// <summary>Plain softmax classifier without bias: logits = x Wᵀ. (Temporary; replaced by the loss library.)</summary>
public sealed class SoftmaxHead : nn.Module<Tensor, Tensor, Tensor>
{
    public SoftmaxHead(int features, int classes) : base(nameof(SoftmaxHead))
    {
        Weight = new Parameter(torch.empty(classes, features));
        nn.init.xavier_uniform_(Weight);
        RegisterComponents();
    }

    public Parameter Weight { get; }

    public override Tensor forward(Tensor embeddings, Tensor labels) => embeddings.matmul(Weight.t());
}
