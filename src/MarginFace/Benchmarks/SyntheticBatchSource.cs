using MarginFace.Training;
using static TorchSharp.torch;

namespace MarginFace.Benchmarks;

/// <summary>
/// The same images [B, C, H, W] and labels [B] as every batch of every epoch, handed out as new tensor handles over the
/// same storage (so the trainer's disposing of a batch frees nothing): training steps without any data loading.
/// </summary>
internal sealed class SyntheticBatchSource(Tensor images, Tensor labels, int steps) : IBatchSource
{
    public int Steps(int epoch) => steps;

    public IEnumerable<TrainingBatch> Read(int epoch, int startStep, CancellationToken cancellation = default)
    {
        for (int step = startStep; step < steps && !cancellation.IsCancellationRequested; step++)
            yield return new TrainingBatch(images.alias(), labels.alias());
    }
}
