using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// Data parallelism over several devices in one process, as PyTorch's <c>nn.DataParallel</c> (TorchSharp has neither it
/// nor <c>torch.distributed</c>). Each step the batch is split along its first axis into near-equal parts (sizes differ by at
/// most one); part i is embedded by replica i on device i and the embeddings are gathered, in order, on the first device,
/// where the objective runs. The copies between devices are part of the autograd graph, so backward reaches every replica;
/// <see cref="ReduceGradients"/> then adds the replicas' gradients into the master's, which is the gradient of the whole
/// batch's loss, exactly as on one device, and <see cref="Broadcast"/> copies the master's parameters and buffers to the
/// replicas after the optimiser step. Batch normalisation normalises each part by its own statistics and keeps the master's
/// running statistics, as <c>nn.DataParallel</c> does. Kernel launches are asynchronous, so the parts overlap on CUDA devices;
/// on the CPU they run one after the other.
/// </summary>
public sealed class DataParallelBackbone : IDisposable
{
    private readonly nn.Module<Tensor, Tensor>[] modules;
    private readonly Tensor[][] parameters;
    private readonly Tensor[][] buffers;

    /// <param name="master">The backbone that is trained, checkpointed and exported; moved to <paramref name="devices"/>[0].</param>
    /// <param name="replicate">Makes a new module of the same architecture (its weights are overwritten by the master's).</param>
    /// <param name="devices">Where the parts of a batch run, the first being the master's; the same device may appear twice.</param>
    public DataParallelBackbone(nn.Module<Tensor, Tensor> master, Func<nn.Module<Tensor, Tensor>> replicate, IReadOnlyList<Device> devices)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(replicate);
        ArgumentNullException.ThrowIfNull(devices);
        if (devices.Count < 1) throw new ArgumentException("at least one device is needed.", nameof(devices));
        Devices = [.. devices];
        modules = new nn.Module<Tensor, Tensor>[devices.Count];
        modules[0] = master.to(devices[0]);
        var masterParameters = master.parameters().Select(p => (Tensor)p).ToArray();
        var masterBuffers = master.buffers().ToArray();
        parameters = new Tensor[devices.Count][];
        buffers = new Tensor[devices.Count][];
        parameters[0] = masterParameters;
        buffers[0] = masterBuffers;
        try
        {
            for (int i = 1; i < devices.Count; i++)
            {
                modules[i] = replicate().to(devices[i]);
                parameters[i] = modules[i].parameters().Select(p => (Tensor)p).ToArray();
                buffers[i] = modules[i].buffers().ToArray();
                if (!SameShapes(masterParameters, parameters[i]) || !SameShapes(masterBuffers, buffers[i]))
                    throw new ArgumentException("replicate made a module whose parameters or buffers differ from the master's.", nameof(replicate));
            }
        }
        catch
        {
            for (int i = 1; i < modules.Length; i++) modules[i]?.Dispose();
            throw;
        }
        Broadcast();
    }

    /// <summary>The master backbone (on <see cref="Devices"/>[0]).</summary>
    public nn.Module<Tensor, Tensor> Master => modules[0];

    /// <summary>The devices, the master's first.</summary>
    public IReadOnlyList<Device> Devices { get; }

    /// <summary>Sizes of the parts a batch of <paramref name="count"/> is split into: ⌈count/n⌉ for the first count mod n parts, ⌊count/n⌋ for the rest, none empty.</summary>
    internal static IReadOnlyList<long> PartSizes(long count, int devices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(devices, 1);
        var parts = (int)Math.Min(devices, Math.Max(count, 1));
        return [.. Enumerable.Range(0, parts).Select(i => count / parts + (i < count % parts ? 1 : 0))];
    }

    /// <summary>Embeddings [B, E] on <see cref="Devices"/>[0] of images [B, …] on any device, each part computed by its replica.</summary>
    internal Tensor Forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var sizes = PartSizes(images.shape[0], modules.Length);
        if (sizes.Count == 1) return modules[0].forward(images.to(Devices[0]));
        var outputs = new Tensor[sizes.Count];
        long start = 0;
        for (int i = 0; i < sizes.Count; i++)
        {
            if (i > 0) modules[i].train(modules[0].training);
            var part = images.narrow(0, start, sizes[i]).to(Devices[i]);
            var embeddings = modules[i].forward(part);
            outputs[i] = i == 0 ? embeddings : embeddings.to(Devices[0]);
            start += sizes[i];
        }
        return cat(outputs, 0);
    }

    /// <summary>Adds every replica's gradient into the master's parameter gradient and clears the replica's.</summary>
    internal void ReduceGradients()
    {
        using var noGrad = no_grad();
        for (int i = 1; i < modules.Length; i++)
        {
            for (int j = 0; j < parameters[0].Length; j++)
            {
                using var gradient = parameters[i][j].grad;
                if (gradient is null) continue;
                using var moved = gradient.to(Devices[0]);
                using var current = parameters[0][j].grad;
                if (current is null) parameters[0][j].grad = moved;
                else current.add_(moved);
                parameters[i][j].grad = null;
            }
        }
    }

    /// <summary>Copies the master's parameters and buffers into every replica.</summary>
    internal void Broadcast()
    {
        using var noGrad = no_grad();
        for (int i = 1; i < modules.Length; i++)
        {
            for (int j = 0; j < parameters[0].Length; j++) parameters[i][j].copy_(parameters[0][j]);
            for (int j = 0; j < buffers[0].Length; j++) buffers[i][j].copy_(buffers[0][j]);
        }
    }

    /// <summary>Disposes the replicas; the master belongs to the caller.</summary>
    public void Dispose()
    {
        for (int i = 1; i < modules.Length; i++) modules[i].Dispose();
    }

    private static bool SameShapes(Tensor[] expected, Tensor[] actual) =>
        expected.Length == actual.Length && expected.Zip(actual).All(p => p.First.shape.SequenceEqual(p.Second.shape) && p.First.dtype == p.Second.dtype);
}
