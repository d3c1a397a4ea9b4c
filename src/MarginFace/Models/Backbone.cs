using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>A backbone module (images <c>[N,C,H,W]</c> → embeddings <c>[N,D]</c>) with its <see cref="BackboneSpec"/>.</summary>
public sealed record Backbone(nn.Module<Tensor, Tensor> Module, BackboneSpec Spec) : IDisposable
{
    /// <summary>Disposes the module's weights.</summary>
    public void Dispose() => Module.Dispose();
}
