using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// Trains a backbone (images → embeddings) and a classification head (embeddings, labels → logits) with a logits loss
/// (cross-entropy by default), one shuffled pass over in-memory tensors per epoch.
/// </summary>
public sealed class ClassificationTrainer
{
    private readonly nn.Module<Tensor, Tensor> backbone;
    private readonly nn.Module<Tensor, Tensor, Tensor> head;
    private readonly optim.Optimizer optimizer;
    private readonly Func<Tensor, Tensor, Tensor> loss;
    private readonly Device device;

    public ClassificationTrainer(nn.Module<Tensor, Tensor> backbone, nn.Module<Tensor, Tensor, Tensor> head,
        optim.Optimizer optimizer, Device device, Func<Tensor, Tensor, Tensor>? loss = null)
    {
        this.backbone = backbone;
        this.head = head;
        this.optimizer = optimizer;
        this.device = device;
        this.loss = loss ?? ((logits, labels) => nn.functional.cross_entropy(logits, labels));
    }

    /// <summary>
    /// One epoch over <paramref name="images"/> / <paramref name="labels"/> (CPU tensors; batches are moved to the device),
    /// in the order of a permutation drawn from <paramref name="generator"/>. Stops after the current step when
    /// <paramref name="cancellation"/> fires; throws <see cref="TrainingDivergedException"/> on a non-finite loss.
    /// </summary>
    public EpochResult TrainEpoch(Tensor images, Tensor labels, int batchSize, int epoch, int epochs, Generator generator,
        Action<TrainingProgress>? onStep = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        backbone.train();
        head.train();
        var count = images.shape[0];
        var steps = (int)((count + batchSize - 1) / batchSize);
        using var order = torch.randperm(count, generator: generator);
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long correct = 0, seen = 0;
        int step = 0;
        for (; step < steps && !cancellation.IsCancellationRequested; step++)
        {
            using var scope = torch.NewDisposeScope();
            var index = order.narrow(0, (long)step * batchSize, Math.Min(batchSize, count - (long)step * batchSize));
            var x = images.index_select(0, index).to(device);
            var y = labels.index_select(0, index).to(device);
            var logits = head.forward(backbone.forward(x), y);
            var value = loss(logits, y);
            var lossValue = value.item<float>();
            if (!double.IsFinite(lossValue)) throw new TrainingDivergedException(epoch, step + 1, lossValue);
            optimizer.zero_grad();
            value.backward();
            optimizer.step();
            lossSum += lossValue;
            correct += logits.argmax(1).eq(y).sum().item<long>();
            seen += index.shape[0];
            onStep?.Invoke(new TrainingProgress(epoch, epochs, step + 1, steps, seen, lossValue, clock.Elapsed));
        }
        return new EpochResult(epoch, step == 0 ? double.NaN : lossSum / step, seen == 0 ? 0 : (double)correct / seen, seen, clock.Elapsed);
    }
}
