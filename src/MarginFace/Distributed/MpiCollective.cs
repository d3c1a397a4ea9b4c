using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Distributed;

/// <summary>
/// <see cref="ICollective"/> over Open MPI's <c>MPI_COMM_WORLD</c> (<see cref="OpenMpi"/>): the processes <c>mpirun -np N</c>
/// started, on one machine or several. Operates on the tensors' memory directly (MPI_IN_PLACE); a tensor may hold up to
/// 2 GiB (TorchSharp's view of a tensor's bytes is a span; the trainer's gradient buckets are 25 MB). MPI's default error handler stops the whole job on a failed call or a lost peer,
/// so no rank waits forever for a rank that died.
/// </summary>
public sealed class MpiCollective : ICollective
{
    private readonly IntPtr world;
    private readonly IntPtr sum;
    private readonly IntPtr max;
    private bool finalized;

    private MpiCollective()
    {
        OpenMpi.Load();
        world = OpenMpi.Handle("ompi_mpi_comm_world");
        sum = OpenMpi.Handle("ompi_mpi_op_sum");
        max = OpenMpi.Handle("ompi_mpi_op_max");
        Check(OpenMpi.MPI_Initialized(out var initialized), "MPI_Initialized");
        if (initialized == 0)
        {
            Check(OpenMpi.MPI_Init_thread(0, 0, OpenMpi.ThreadSerialized, out var provided), "MPI_Init_thread");
            if (provided < OpenMpi.ThreadSerialized)
                throw new MarginFaceException($"Open MPI offers thread level {provided}; training needs MPI_THREAD_SERIALIZED ({OpenMpi.ThreadSerialized})");
        }
        Check(OpenMpi.MPI_Comm_rank(world, out var rank), "MPI_Comm_rank");
        Check(OpenMpi.MPI_Comm_size(world, out var size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
    }

    /// <summary>Joins the job (MPI_Init_thread, once per process); <see cref="Dispose"/> leaves it (MPI_Finalize).</summary>
    public static MpiCollective Initialize() => new();

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public void AllReduceSum(Tensor tensor) => AllReduce(tensor, sum, "MPI_Allreduce(sum)");

    /// <inheritdoc/>
    public void AllReduceMax(Tensor tensor) => AllReduce(tensor, max, "MPI_Allreduce(max)");

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        var (type, count) = Type(tensor);
        unsafe
        {
            fixed (byte* pointer = tensor.bytes)
                Check(OpenMpi.MPI_Bcast((IntPtr)pointer, count, type, root, world), "MPI_Bcast");
        }
    }

    /// <inheritdoc/>
    public void Broadcast(Span<long> values, int root = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        unsafe
        {
            fixed (long* pointer = values)
                Check(OpenMpi.MPI_Bcast((IntPtr)pointer, values.Length, OpenMpi.Handle("ompi_mpi_int64_t"), root, world), "MPI_Bcast");
        }
    }

    /// <inheritdoc/>
    public Tensor AllGather(Tensor tensor)
    {
        var (type, count) = Type(tensor);
        if ((long)count * Size * tensor.element_size() > int.MaxValue) throw new ArgumentException($"an all-gather of {count} elements from {Size} ranks is over 2 GiB.", nameof(tensor));
        long[] shape = [.. tensor.shape];
        shape[0] *= Size;
        var result = empty(shape, dtype: tensor.dtype);
        if (count == 0) return result;
        unsafe
        {
            fixed (byte* send = tensor.bytes)
            fixed (byte* receive = result.bytes)
                Check(OpenMpi.MPI_Allgather((IntPtr)send, count, type, (IntPtr)receive, count, type, world), "MPI_Allgather");
        }
        return result;
    }

    /// <inheritdoc/>
    public Tensor? Gather(Tensor tensor, int root = 0)
    {
        var (type, count) = Type(tensor);
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), $"root {root} is not in [0, {Size}).");
        long[] shape = [.. tensor.shape];
        shape[0] *= Size;
        if ((long)count * Size * tensor.element_size() > int.MaxValue) throw new ArgumentException($"a gather of {count} elements from {Size} ranks is over 2 GiB.", nameof(tensor));
        var result = Rank == root ? empty(shape, dtype: tensor.dtype) : null;
        if (count == 0) return result;
        var receiving = result is null ? Span<byte>.Empty : result.bytes;
        unsafe
        {
            fixed (byte* send = tensor.bytes)
            fixed (byte* receive = receiving)
                Check(OpenMpi.MPI_Gather((IntPtr)send, count, type, (IntPtr)receive, count, type, root, world), "MPI_Gather");
        }
        return result;
    }

    /// <inheritdoc/>
    public void Barrier() => Check(OpenMpi.MPI_Barrier(world), "MPI_Barrier");

    /// <inheritdoc/>
    public void Abort(int exitCode)
    {
        OpenMpi.MPI_Abort(world, exitCode);
        Environment.Exit(exitCode);
    }

    /// <summary>Leaves the job (MPI_Finalize); every rank must call it.</summary>
    public void Dispose()
    {
        if (finalized) return;
        finalized = true;
        OpenMpi.MPI_Finalized(out var done);
        if (done == 0) OpenMpi.MPI_Finalize();
    }

    private void AllReduce(Tensor tensor, IntPtr op, string what)
    {
        if (Size == 1) return;
        var (type, count) = Type(tensor);
        unsafe
        {
            fixed (byte* pointer = tensor.bytes)
                Check(OpenMpi.MPI_Allreduce(OpenMpi.InPlace, (IntPtr)pointer, count, type, op, world), what);
        }
    }

    /// <summary>The MPI datatype and the element count of a contiguous CPU tensor of at most 2 GiB.</summary>
    private static (IntPtr Type, int Count) Type(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.device_type != DeviceType.CPU) throw new ArgumentException($"MPI collectives take CPU tensors, got one on {tensor.device}.", nameof(tensor));
        if (!tensor.is_contiguous()) throw new ArgumentException("MPI collectives take contiguous tensors.", nameof(tensor));
        if (tensor.numel() * tensor.element_size() > int.MaxValue) throw new ArgumentException($"MPI collectives here take tensors of at most 2 GiB, got {tensor.numel()} elements.", nameof(tensor));
        var type = tensor.dtype switch
        {
            ScalarType.Float32 => OpenMpi.Handle("ompi_mpi_float"),
            ScalarType.Float64 => OpenMpi.Handle("ompi_mpi_double"),
            ScalarType.Int64 => OpenMpi.Handle("ompi_mpi_int64_t"),
            _ => throw new ArgumentException($"MPI collectives take float32, float64 or int64 tensors, got {tensor.dtype}.", nameof(tensor)),
        };
        return (type, (int)tensor.numel());
    }

    private static void Check(int code, string call)
    {
        if (code != 0) throw new MarginFaceException($"{call} failed with MPI error {code}");
    }
}
