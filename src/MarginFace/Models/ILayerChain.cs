using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>
/// A module whose forward applies <see cref="Chain"/> one after the other, and nothing else; exporters walk the chain.
/// </summary>
internal interface ILayerChain
{
    IReadOnlyList<nn.Module<Tensor, Tensor>> Chain { get; }
}
