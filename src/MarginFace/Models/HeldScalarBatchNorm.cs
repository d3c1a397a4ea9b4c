using TorchSharp.Modules;
using TorchSharp;
using MarginFace.Runtime;
using static TorchSharp.torch;

namespace MarginFace.Models;

/// <summary>
/// The forward of a TorchSharp <see cref="BatchNorm"/> (1d or 2d), computed as TorchSharp computes it, but counting batches with
/// a Scalar held for the life of the process. TorchSharp 0.107's own forward runs <c>num_batches_tracked.add_(1)</c>, whose two
/// implicit Scalars the finalizer thread may free while libtorch still reads them; that ended a 20-epoch LFW training at epoch 10
/// with "For integral input tensors, argument alpha must not be a floating point number". Training mode: batch statistics, and
/// running statistics updated with factor momentum (1/num_batches_tracked when momentum is null); eval mode: running statistics.
/// </summary>
internal static class HeldScalarBatchNorm
{
    public static Tensor Forward(BatchNorm norm, Tensor input)
    {
        var factor = norm.momentum ?? 0.0;
        if (norm.training && norm.track_running_stats && norm.num_batches_tracked is { } count)
        {
            using (no_grad()) count.add_(HeldScalars.One, HeldScalars.One);
            if (norm.momentum is null) factor = 1.0 / count.ToDouble();
        }
        var batchStatistics = norm.training || (norm.running_mean is null && norm.running_var is null);
        var runningStatistics = !norm.training || norm.track_running_stats;
        return nn.functional.batch_norm(input, runningStatistics ? norm.running_mean : null, runningStatistics ? norm.running_var : null,
            norm.affine ? norm.weight : null, norm.affine ? norm.bias : null, batchStatistics, factor, norm.eps);
    }
}
