using static TorchSharp.torch;

namespace MarginFace.Runtime;

/// <summary>
/// The channels-last ("NHWC") memory format of an N×C×H×W batch: the same shape and values, stored pixel by pixel, with strides
/// (H·W·C, 1, W·C, C). oneDNN's CPU convolutions compute in that layout: a convolution fed a channels-last input returns one, and
/// batch norm, PReLU and the element-wise ops keep it, so the whole network runs without the reorder of every activation that
/// an NCHW input costs each layer. PyTorch: <c>x.to(memory_format=torch.channels_last)</c> (TorchSharp 0.107 has no memory formats).
/// </summary>
public static class MemoryLayout
{
    /// <summary>A channels-last copy of the 4-d <paramref name="batch"/> (the batch itself when it is channels-last already).</summary>
    public static Tensor ToChannelsLast(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.dim() != 4) throw new ArgumentException($"a channels-last batch is N×C×H×W, got {batch.dim()} dimensions", nameof(batch));
        if (IsChannelsLast(batch)) return batch.alias();
        using var pixels = batch.permute(0, 2, 3, 1).contiguous();
        return pixels.permute(0, 3, 1, 2);
    }

    /// <summary>Whether <paramref name="batch"/> is 4-d with channels-last strides (H·W·C, 1, W·C, C).</summary>
    public static bool IsChannelsLast(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.dim() != 4) return false;
        var (c, h, w) = (batch.shape[1], batch.shape[2], batch.shape[3]);
        var strides = batch.stride();
        return strides[1] == 1 && strides[3] == c && strides[2] == w * c && (batch.shape[0] == 1 || strides[0] == h * w * c);
    }
}
