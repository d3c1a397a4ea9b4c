using static TorchSharp.torch;

namespace MarginFace.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, over the processes of one job (ranks 0 … <see cref="Size"/> − 1):
/// every rank calls the same operations in the same order with tensors of the same shape and dtype. The tensors are
/// contiguous CPU tensors (float32, float64 or int64) and are changed in place. Implementations: <see cref="SingleProcess"/>
/// (one rank: every operation is the identity) and <see cref="MpiCollective"/> (Open MPI); an NCCL one (one process per
/// GPU, on CUDA tensors) would implement the same interface (docs/distributed.md).
/// </summary>
public interface ICollective : IDisposable
{
    /// <summary>This process's rank in [0, <see cref="Size"/>).</summary>
    int Rank { get; }

    /// <summary>The number of processes.</summary>
    int Size { get; }

    /// <summary>x ← Σ over ranks of x, in place.</summary>
    void AllReduceSum(Tensor tensor);

    /// <summary>x ← max over ranks of x, element-wise, in place.</summary>
    void AllReduceMax(Tensor tensor);

    /// <summary>x ← rank <paramref name="root"/>'s x, in place.</summary>
    void Broadcast(Tensor tensor, int root = 0);

    /// <summary>Rank <paramref name="root"/>'s values on every rank, in place (plain memory: usable before libtorch is loaded).</summary>
    void Broadcast(Span<long> values, int root = 0);

    /// <summary>The ranks' tensors (each of the same shape [n, …]) stacked in rank order along the first axis: [Size·n, …].</summary>
    Tensor AllGather(Tensor tensor);

    /// <summary>
    /// The ranks' tensors (each of the same shape [n, …]) stacked in rank order, [Size·n, …], on rank <paramref name="root"/>
    /// alone; null on the other ranks (MPI_Gather: no other rank holds the whole).
    /// </summary>
    Tensor? Gather(Tensor tensor, int root = 0);

    /// <summary>Waits until every rank has called it.</summary>
    void Barrier();

    /// <summary>Stops every process of the job with <paramref name="exitCode"/> (a rank that cannot go on would otherwise leave the others waiting).</summary>
    void Abort(int exitCode);
}
