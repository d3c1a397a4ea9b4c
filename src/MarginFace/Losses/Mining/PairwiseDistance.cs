using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Losses.Mining;

/// <summary>Pairwise distance matrices between the rows of an embedding batch.</summary>
internal static class PairwiseDistance
{
    /// <summary>
    /// D_ij = ‖x_i − x_j‖² = ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j for x [B, D], clamped at 0 (rounding can make it
    /// slightly negative) with an exactly zero diagonal. Differentiable; the gradient on the diagonal and on
    /// clamped entries is 0, which is the true gradient of ‖x_i − x_j‖² where x_i = x_j.
    /// </summary>
    /// <param name="x">[B, D] floating-point embeddings.</param>
    /// <returns>[B, B] squared Euclidean distances, dtype of <paramref name="x"/>.</returns>
    public static Tensor SquaredEuclidean(Tensor x)
    {
        Losses.LossArguments.Matrix(x, nameof(x));
        using var scope = NewDisposeScope();
        var sqNorm = x.square().sum(1);
        var gram = x.matmul(x.t());
        var d = sqNorm.unsqueeze(1).add(sqNorm.unsqueeze(0)).sub(gram.mul(2)).clamp_min(0);
        var eye = torch.eye(x.shape[0], dtype: ScalarType.Bool, device: x.device);
        return d.masked_fill(eye, 0).MoveToOuterDisposeScope();
    }
}
