using static TorchSharp.torch;

namespace MarginFace.Distributed;

/// <summary>
/// The pieces of arcface_torch's PartialFC_V2 that work over ranks, each rank holding one shard of the class centres:
/// the shard's class range (<see cref="ShardRange"/>), the per-shard sample (<see cref="SampleShard"/>), the softmax
/// cross-entropy whose classes are split over the ranks (<see cref="CrossEntropy"/>), and the gradient of the all-gathered
/// embeddings brought back to the rank that owns the rows (<see cref="OwnRowsGradient"/>). Every rank calls them in the same
/// order (they are collective). <see cref="ShardedPartialFcObjective"/> uses them in <c>train</c> under mpirun
/// (docs/distributed.md).
/// </summary>
public static class ShardedPartialFc
{
    /// <summary>
    /// The classes rank <paramref name="rank"/> of <paramref name="size"/> owns, split as arcface_torch splits them: C/N each,
    /// the first C mod N ranks one more; [Start, Start + Count).
    /// </summary>
    public static (long Start, long Count) ShardRange(long classes, int rank, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classes);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (rank < 0 || rank >= size) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} is not in [0, {size}).");
        var each = classes / size;
        var extra = classes % size;
        return (each * rank + Math.Min(rank, extra), each + (rank < extra ? 1 : 0));
    }

    /// <summary>
    /// Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of the matrix [rows, columns] that
    /// <c>nn.init.normal_(empty(rows, columns), 0, std)</c> would draw from the default generator now, bit for bit, without
    /// the rest: the matrix is drawn in flat pieces of <paramref name="piece"/> elements (a multiple of 16) and only this
    /// range is kept, so the transient memory is one piece. libtorch's CPU normal_ on ≥ 16 contiguous elements draws one
    /// uniform per element and pairs them (Box–Muller) in aligned blocks of 16, the last 16 redrawn when the size is not a
    /// multiple of 16; pieces that start at multiples of 16, the last one at least 16 long, draw the same numbers (tested).
    /// The generator ends where the whole draw leaves it.
    /// </summary>
    public static Tensor InitialRows(long rows, long columns, long start, long count, double std, ScalarType? dtype = null, long piece = 1 << 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (start < 0 || count < 0 || start + count > rows)
            throw new ArgumentOutOfRangeException(nameof(count), $"rows [{start}, {start + count}) are not within [0, {rows}).");
        if (piece < 16 || piece % 16 != 0) throw new ArgumentOutOfRangeException(nameof(piece), piece, "piece must be a positive multiple of 16.");
        var result = empty(count, columns, dtype: dtype);
        var total = rows * columns;
        using var noGrad = no_grad();
        if (total < 16)
        {
            using var whole = empty(rows, columns, dtype: dtype);
            nn.init.normal_(whole, 0, std);
            result.copy_(whole.narrow(0, start, count));
            return result;
        }
        using var flat = result.view(-1);
        var first = start * columns;
        var end = first + count * columns;
        for (long offset = 0; offset < total;)
        {
            // The last piece takes the remainder, at least 16 elements: the tail of 16 is redrawn as for the whole.
            var length = total - offset < piece + 16 ? total - offset : piece;
            using var part = empty(length, dtype: dtype);
            nn.init.normal_(part, 0, std);
            var from = Math.Max(offset, first);
            var to = Math.Min(offset + length, end);
            if (from < to)
            {
                using var source = part.narrow(0, from - offset, to - from);
                using var target = flat.narrow(0, from - first, to - from);
                target.copy_(source);
            }
            offset += length;
        }
        return result;
    }

    /// <summary>
    /// The global labels [B] as indices into the shard [start, start + count): label − start, or −1 where the class lives on
    /// another rank.
    /// </summary>
    public static Tensor LocalLabels(Tensor labels, long start, long count)
    {
        ArgumentNullException.ThrowIfNull(labels);
        using var scope = NewDisposeScope();
        var inside = labels.ge(start).logical_and_(labels.lt(start + count));
        return where(inside, labels - start, full_like(labels, -1L)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// arcface_torch's per-shard sample: the shard's classes present in <paramref name="localLabels"/> (the whole batch's labels
    /// made local, −1 elsewhere) are all kept, the others drawn at random until ⌊rate·count⌋ are chosen (only the positives when
    /// they alone reach that number); <c>Index</c> holds the chosen shard rows in increasing order, <c>Labels</c> the local labels
    /// remapped to positions in <c>Index</c> (−1 stays −1). Index is null (the whole shard) at rate ≥ 1. The draw is a function
    /// of <paramref name="seed"/> alone, so callers key it by (seed, epoch, step, rank).
    /// </summary>
    public static (Tensor? Index, Tensor Labels) SampleShard(Tensor localLabels, long count, double rate, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(localLabels);
        var k = (long)Math.Floor(rate * count);
        if (rate >= 1 || k >= count) return (null, localLabels.alias());
        using var scope = NewDisposeScope();
        var cpuLabels = localLabels.cpu();
        var positives = cpuLabels.masked_select(cpuLabels.ge(0)).unique(sorted: true).Item1;
        Tensor index;
        if (positives.shape[0] >= k)
        {
            index = positives;
        }
        else
        {
            using var generator = new Generator(seed);
            var priority = rand(new long[] { count }, generator: generator);
            priority.index_fill_(0, positives, 2.0);
            index = priority.topk((int)k).indexes.sort().Item1;
        }
        var positions = full(count + 1, -1L, dtype: ScalarType.Int64);
        positions.index_copy_(0, index, arange(index.shape[0], dtype: ScalarType.Int64));
        // Position `count` stays −1, so label −1 (another rank's class) maps to −1 through index count.
        var lookup = where(cpuLabels.ge(0), cpuLabels, full_like(cpuLabels, count));
        var remapped = positions.index_select(0, lookup).to(localLabels.device);
        return (index.to(localLabels.device).MoveToOuterDisposeScope(), remapped.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The mean softmax cross-entropy of the whole batch whose logits [B, k] over this rank's classes are
    /// <paramref name="logits"/>, the target of row i being column <paramref name="localLabels"/>[i] here, or on another rank
    /// where it is −1 (every row's target lives on exactly one rank). As arcface_torch's DistCrossEntropy: the row maxima are
    /// all-reduced (max), the sums of exp all-reduced (sum), the target's probability taken where it lives and all-reduced
    /// (sum); loss = −mean log p. The returned scalar has that value on every rank, and its gradient with respect to
    /// <paramref name="logits"/> is (softmax − one-hot)/B of this rank's columns, so backward through it reaches the margin,
    /// the cosines and the shard's centres. Contiguous CPU tensors (the collective's contract).
    /// </summary>
    public static Tensor CrossEntropy(ICollective collective, Tensor logits, Tensor localLabels)
    {
        ArgumentNullException.ThrowIfNull(collective);
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(localLabels);
        if (logits.dim() != 2 || localLabels.dim() != 1 || localLabels.shape[0] != logits.shape[0])
            throw new ArgumentException($"logits must be [B, k] and labels [B]; got [{string.Join(", ", logits.shape)}] and [{string.Join(", ", localLabels.shape)}].");
        using var scope = NewDisposeScope();
        var rows = logits.shape[0];
        Tensor loss, gradient;
        using (no_grad())
        {
            var values = logits.detach();
            var max = (values.shape[1] > 0 ? values.amax([1L]) : full(rows, double.NegativeInfinity, dtype: values.dtype)).contiguous();
            collective.AllReduceMax(max);
            var exp = (values - max.unsqueeze(1)).exp_();
            var sum = exp.sum(1).contiguous();
            collective.AllReduceSum(sum);
            var softmax = exp.div_(sum.unsqueeze(1));
            var here = localLabels.ge(0);
            var column = where(here, localLabels, zeros_like(localLabels)).unsqueeze(1);
            var target = values.shape[1] > 0
                ? softmax.gather(1, column).squeeze(1).mul_(here.to(values.dtype))
                : zeros(rows, dtype: values.dtype);
            target = target.contiguous();
            collective.AllReduceSum(target);
            loss = target.clamp_min(1e-30).log_().mean().neg_();
            gradient = softmax;
            if (values.shape[1] > 0) gradient.scatter_add_(1, column, here.to(values.dtype).neg().unsqueeze(1));
            gradient.div_(rows);
        }
        // Value: the loss; gradient with respect to the logits: (softmax − one-hot)/B.
        var surrogate = (logits * gradient).sum();
        var result = loss + surrogate - surrogate.detach();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The gradient of the loss with respect to this rank's rows, from <paramref name="gatheredGradient"/>, the gradient of this
    /// rank's share of the loss with respect to the all-gathered embeddings [N·n, D] (rank order): all-reduced (sum) over the
    /// ranks, then rows [rank·n, (rank + 1)·n) kept. When the backbone's gradients are then averaged over the ranks
    /// (<see cref="DistributedDataParallel"/>), multiply by N, as arcface_torch's AllGather backward does.
    /// </summary>
    public static Tensor OwnRowsGradient(ICollective collective, Tensor gatheredGradient)
    {
        ArgumentNullException.ThrowIfNull(collective);
        ArgumentNullException.ThrowIfNull(gatheredGradient);
        if (gatheredGradient.shape[0] % collective.Size != 0)
            throw new ArgumentException($"{gatheredGradient.shape[0]} gathered rows do not split into {collective.Size} ranks.", nameof(gatheredGradient));
        var summed = gatheredGradient.contiguous().clone();
        collective.AllReduceSum(summed);
        var n = gatheredGradient.shape[0] / collective.Size;
        using (summed) return summed.narrow(0, collective.Rank * n, n).clone();
    }
}
