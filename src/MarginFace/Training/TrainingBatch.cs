using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>One training batch: images [B, C, H, W] (float32) and int64 labels [B]; owns both tensors.</summary>
public sealed class TrainingBatch(Tensor images, Tensor labels) : IDisposable
{
    /// <summary>Images [B,C,H,W], float.</summary>
    public Tensor Images { get; } = images;

    /// <summary>Class ids [B], int64.</summary>
    public Tensor Labels { get; } = labels;

    /// <summary>B, the number of samples.</summary>
    public long Count => Labels.shape[0];

    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
