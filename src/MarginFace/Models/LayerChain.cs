using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>
/// Applies modules in order, disposing the intermediate results. A <see cref="Sequential"/> is walked child by child and a
/// <see cref="BatchNorm"/> runs through <see cref="HeldScalarBatchNorm"/>, so no network of the factory calls TorchSharp's own
/// batch-norm forward.
/// </summary>
internal static class LayerChain
{
    public static Tensor Forward(IReadOnlyList<nn.Module<Tensor, Tensor>> chain, Tensor input)
    {
        var x = input;
        foreach (var layer in chain)
        {
            var next = Apply(layer, x);
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = next;
        }
        return ReferenceEquals(x, input) ? x.alias() : x;
    }

    /// <summary>One module's forward: <see cref="Sequential"/> and <see cref="BatchNorm"/> as above, any other its own.</summary>
    public static Tensor Apply(nn.Module<Tensor, Tensor> layer, Tensor input) => layer switch
    {
        BatchNorm norm => HeldScalarBatchNorm.Forward(norm, input),
        Sequential sequence => Forward(sequence.children().Cast<nn.Module<Tensor, Tensor>>().ToArray(), input),
        _ => layer.forward(input),
    };
}
