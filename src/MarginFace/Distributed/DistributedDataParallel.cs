using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Distributed;

/// <summary>
/// Data parallelism over processes, as PyTorch's <c>DistributedDataParallel</c>: every rank holds the whole model and trains
/// on its own part of each batch. <see cref="BroadcastState"/> copies rank 0's parameters and buffers to every rank (the
/// initial or resumed weights); <see cref="BroadcastBuffers"/> does so for the buffers before each forward pass (batch-norm
/// running statistics; DDP's <c>broadcast_buffers</c>), so each rank normalises by its own part's statistics and rank 0's
/// running statistics are kept; <see cref="AverageGradients"/> replaces every replicated parameter's gradient by the mean
/// over the ranks, g ← (1/N) Σᵣ gᵣ, which is the gradient of the mean loss of the whole batch when the parts are equal. The
/// gradients travel in buckets of at most <see cref="BucketBytes"/> (DDP's default 25 MB), each copied into one flat
/// buffer, all-reduced and copied back; the reduction starts after backward ends (no overlap with backward).
/// Parameters that are not replicated (class centres sharded by rank) are left alone.
/// </summary>
public sealed class DistributedDataParallel : IDisposable
{
    /// <summary>Largest bucket of gradients all-reduced in one call.</summary>
    public const long BucketBytes = 25L << 20;

    private readonly Parameter[] parameters;
    private readonly Tensor[] buffers;
    private readonly List<(int Start, int End)> buckets = [];

    /// <param name="collective">The ranks.</param>
    /// <param name="replicated">The parameters every rank holds a copy of (backbone, replicated head), in the same order on every rank.</param>
    /// <param name="buffers">The buffers broadcast from rank 0 (the backbone's batch-norm statistics).</param>
    public DistributedDataParallel(ICollective collective, IEnumerable<Parameter> replicated, IEnumerable<Tensor> buffers)
    {
        Collective = collective ?? throw new ArgumentNullException(nameof(collective));
        parameters = [.. replicated];
        this.buffers = [.. buffers];
        var start = 0;
        long bytes = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            var size = parameters[i].numel() * parameters[i].element_size();
            if (i > start && (bytes + size > BucketBytes || parameters[i].dtype != parameters[start].dtype))
            {
                buckets.Add((start, i));
                start = i;
                bytes = 0;
            }
            bytes += size;
        }
        if (parameters.Length > start) buckets.Add((start, parameters.Length));
    }

    /// <summary>The ranks.</summary>
    public ICollective Collective { get; }

    /// <summary>The gradient buckets (ranges of parameter indices), for tests and reports.</summary>
    internal IReadOnlyList<(int Start, int End)> Buckets => buckets;

    /// <summary>Copies rank 0's parameters and buffers to every rank.</summary>
    public void BroadcastState()
    {
        if (Collective.Size == 1) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (start, end) in buckets)
        {
            var flat = Pack(start, end, i => parameters[i]);
            Collective.Broadcast(flat);
            Unpack(flat, start, end, gradients: false);
        }
        BroadcastBuffers();
    }

    /// <summary>Copies rank 0's buffers (batch-norm running statistics) to every rank.</summary>
    public void BroadcastBuffers()
    {
        if (Collective.Size == 1) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var group in buffers.Where(b => b.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64).GroupBy(b => b.dtype))
        {
            var members = group.ToArray();
            var flat = cat([.. members.Select(b => b.cpu().reshape(-1))]);
            Collective.Broadcast(flat);
            long offset = 0;
            foreach (var b in members)
            {
                b.copy_(flat.narrow(0, offset, b.numel()).view(b.shape));
                offset += b.numel();
            }
        }
    }

    /// <summary>g ← (1/N) Σᵣ gᵣ for every replicated parameter, bucket by bucket; a parameter without a gradient counts as zero and stays without one.</summary>
    public void AverageGradients()
    {
        if (Collective.Size == 1) return;
        using var noGrad = no_grad();
        foreach (var (start, end) in buckets)
        {
            using var scope = NewDisposeScope();
            var flat = Pack(start, end, i => parameters[i].grad ?? zeros_like(parameters[i]));
            Collective.AllReduceSum(flat);
            flat.div_(Collective.Size);
            Unpack(flat, start, end, gradients: true);
        }
    }

    /// <summary>
    /// The step's loss averaged over the ranks and the correct predictions summed (null when any rank's objective does not
    /// classify), in one all-reduce, so every rank logs and checks the same numbers.
    /// </summary>
    public (double Loss, long? Correct) ReduceStep(double loss, long? correct)
    {
        if (Collective.Size == 1) return (loss, correct);
        using var values = tensor(new[] { loss, correct ?? 0, correct is null ? 1 : 0 });
        Collective.AllReduceSum(values);
        var v = values.data<double>().ToArray();
        return (v[0] / Collective.Size, v[2] > 0 ? null : (long)Math.Round(v[1]));
    }

    /// <summary>True on every rank when any rank asks to stop (Ctrl-C reaches the ranks at different steps).</summary>
    public bool AnyStop(bool stop)
    {
        if (Collective.Size == 1) return stop;
        using var flag = tensor(new[] { stop ? 1.0 : 0.0 });
        Collective.AllReduceMax(flag);
        return flag.item<double>() > 0;
    }

    /// <summary>Whether this rank writes the run's files (rank 0).</summary>
    public bool WritesFiles => Collective.Rank == 0;

    /// <summary>Nothing to release: the collective belongs to the caller.</summary>
    public void Dispose() { }

    private Tensor Pack(int start, int end, Func<int, Tensor> tensorOf)
    {
        var parts = new Tensor[end - start];
        for (var i = start; i < end; i++) parts[i - start] = tensorOf(i).detach().cpu().reshape(-1);
        return cat(parts).contiguous();
    }

    /// <summary>Copies the flat buffer back into the parameters, or into their gradients (a new handle each, disposed; a parameter's own is not).</summary>
    private void Unpack(Tensor flat, int start, int end, bool gradients)
    {
        long offset = 0;
        for (var i = start; i < end; i++)
        {
            var n = parameters[i].numel();
            using var part = flat.narrow(0, offset, n).view(parameters[i].shape);
            if (!gradients) parameters[i].copy_(part);
            else
                using (var gradient = parameters[i].grad)
                    gradient?.copy_(part);
            offset += n;
        }
    }
}
