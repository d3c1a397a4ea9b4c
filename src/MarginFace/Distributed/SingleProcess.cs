using static TorchSharp.torch;

namespace MarginFace.Distributed;

/// <summary>One process, rank 0 of 1: every collective is the identity, so code written for several ranks runs unchanged alone.</summary>
public sealed class SingleProcess : ICollective
{
    /// <summary>The one instance.</summary>
    public static SingleProcess Instance { get; } = new();

    private SingleProcess() { }

    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int Size => 1;

    /// <inheritdoc/>
    public void AllReduceSum(Tensor tensor) { }

    /// <inheritdoc/>
    public void AllReduceMax(Tensor tensor) { }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root = 0) => ArgumentOutOfRangeException.ThrowIfNotEqual(root, 0);

    /// <inheritdoc/>
    public void Broadcast(Span<long> values, int root = 0) => ArgumentOutOfRangeException.ThrowIfNotEqual(root, 0);

    /// <inheritdoc/>
    public Tensor AllGather(Tensor tensor) => tensor.clone();

    /// <inheritdoc/>
    public Tensor? Gather(Tensor tensor, int root = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(root, 0);
        return tensor.clone();
    }

    /// <inheritdoc/>
    public void Barrier() { }

    /// <inheritdoc/>
    public void Abort(int exitCode) => Environment.Exit(exitCode);

    /// <summary>Nothing to release.</summary>
    public void Dispose() { }
}
