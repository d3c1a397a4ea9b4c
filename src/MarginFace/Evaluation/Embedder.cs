using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Evaluation;

/// <summary>Runs a backbone in evaluation mode over a tensor of images, batch by batch, without gradients.</summary>
internal static class Embedder
{
    /// <summary>Embeddings <c>[N,D]</c> on the CPU for <paramref name="images"/> <c>[N,...]</c>.</summary>
    public static Tensor Embed(nn.Module<Tensor, Tensor> backbone, Tensor images, Device device, int batchSize = 1000)
    {
        backbone.eval();
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < images.shape[0]; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var batch = images.narrow(0, start, Math.Min(batchSize, images.shape[0] - start)).to(device);
                parts.Add(backbone.forward(batch).cpu().MoveToOuterDisposeScope());
            }
            return torch.cat(parts, 0);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }
}
