using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>One training batch: images [B, C, H, W] (float32) and int64 labels [B]; owns both tensors.</summary>
public sealed class TrainingBatch(Tensor images, Tensor labels) : IDisposable
{
    public Tensor Images { get; } = images;

    public Tensor Labels { get; } = labels;

    public long Count => Labels.shape[0];

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
