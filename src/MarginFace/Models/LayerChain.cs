using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>Applies a chain of modules in order, disposing the intermediate results.</summary>
internal static class LayerChain
{
    public static Tensor Forward(IReadOnlyList<nn.Module<Tensor, Tensor>> chain, Tensor input)
    {
        var x = input;
        foreach (var layer in chain)
        {
            var next = layer.forward(x);
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = next;
        }
        return ReferenceEquals(x, input) ? x.alias() : x;
    }
}
