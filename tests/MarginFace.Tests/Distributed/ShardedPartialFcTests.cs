using MarginFace.Distributed;
using MarginFace.Tests.Support;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MarginFace.Tests.Distributed;

/// <summary>
/// Several fake ranks in one process, one thread each, sharing <see cref="ThreadCollective"/>: the sharded softmax
/// cross-entropy and the PartialFC_V2 step (all-gathered embeddings, centres sharded by rank, CosFace margin where the target
/// lives, the embeddings' gradient reduced back) against the plain single-process computation, in float64.
/// </summary>
public class ShardedPartialFcTests : TorchTest
{
    [Fact]
    public void TheShardedSoftmaxCrossEntropyEqualsThePlainOneAndItsGradient()
    {
        using var generator = new Generator(11);
        var logits = randn(new long[] { 6, 11 }, dtype: float64, generator: generator).mul_(5);
        var labels = tensor(new long[] { 0, 10, 5, 6, 3, 5 });
        var plain = logits.clone().requires_grad_();
        var expected = F.cross_entropy(plain, labels);
        expected.backward();
        var expectedGradient = plain.grad!.clone();

        var results = ThreadCollective.Run(2, collective =>
        {
            var (start, count) = ShardedPartialFc.ShardRange(11, collective.Rank, collective.Size);
            var local = logits.narrow(1, start, count).clone().requires_grad_();
            var loss = ShardedPartialFc.CrossEntropy(collective, local, ShardedPartialFc.LocalLabels(labels, start, count));
            loss.backward();
            return (Loss: loss.item<double>(), Gradient: local.grad!.clone());
        });
        Assert.Equal(expected.item<double>(), results[0].Loss, 1e-10);
        Assert.Equal(expected.item<double>(), results[1].Loss, 1e-10);
        var gradient = cat([results[0].Gradient, results[1].Gradient], 1);
        Assert.True((gradient - expectedGradient).abs().max().item<double>() < 1e-10, $"{(gradient - expectedGradient).abs().max().item<double>()}");

        // One rank: the collective is the identity and the function is the plain one.
        var alone = logits.clone().requires_grad_();
        var single = ShardedPartialFc.CrossEntropy(SingleProcess.Instance, alone, labels);
        single.backward();
        Assert.Equal(expected.item<double>(), single.item<double>(), 1e-12);
        Assert.True((alone.grad! - expectedGradient).abs().max().item<double>() < 1e-12);
    }

    /// <summary>
    /// PartialFC_V2 over 2 ranks at r = 1: each rank has 3 of 6 rows and its shard of the 7 centres (4 and 3, arcface_torch's
    /// split), all-gathers the rows and labels, computes CosFace logits against its centres with the margin on the target where
    /// it lives, the sharded cross-entropy, and brings the gathered rows' gradient back: the loss, each rank's rows' gradient
    /// and each shard's gradient equal one process's.
    /// </summary>
    [Fact]
    public void AShardedCosFaceStepEqualsOneProcessInLossAndEveryGradient()
    {
        using var generator = new Generator(5);
        var x = randn(new long[] { 6, 4 }, dtype: float64, generator: generator);
        var w = randn(new long[] { 7, 4 }, dtype: float64, generator: generator);
        var labels = tensor(new long[] { 6, 0, 3, 3, 4, 1 });
        const double s = 16, m = 0.35;

        var px = x.clone().requires_grad_();
        var pw = w.clone().requires_grad_();
        var cos = F.normalize(px, dim: 1).matmul(F.normalize(pw, dim: 1).t());
        var expected = F.cross_entropy((cos - m * F.one_hot(labels, 7).to(float64)) * s, labels);
        expected.backward();

        var results = ThreadCollective.Run(2, collective =>
        {
            var rows = x.shape[0] / collective.Size;
            var own = x.narrow(0, collective.Rank * rows, rows).clone().requires_grad_();
            var ownLabels = labels.narrow(0, collective.Rank * rows, rows).clone();
            var (start, count) = ShardedPartialFc.ShardRange(7, collective.Rank, collective.Size);
            var shard = w.narrow(0, start, count).clone().requires_grad_();

            var gathered = collective.AllGather(own.detach().contiguous()).requires_grad_();
            var all = collective.AllGather(ownLabels);
            var local = ShardedPartialFc.LocalLabels(all, start, count);
            var c = F.normalize(gathered, dim: 1).matmul(F.normalize(shard, dim: 1).t());
            var oneHot = zeros_like(c).scatter_(1, where(local.ge(0), local, zeros_like(local)).unsqueeze(1), local.ge(0).to(float64).unsqueeze(1));
            var loss = ShardedPartialFc.CrossEntropy(collective, (c - m * oneHot) * s, local);
            loss.backward();
            own.backward([ShardedPartialFc.OwnRowsGradient(collective, gathered.grad!)]);
            return (Loss: loss.item<double>(), Rows: own.grad!.clone(), Shard: shard.grad!.clone());
        });
        foreach (var r in results) Assert.Equal(expected.item<double>(), r.Loss, 1e-10);
        AssertClose(px.grad!, cat([results[0].Rows, results[1].Rows], 0));
        AssertClose(pw.grad!, cat([results[0].Shard, results[1].Shard], 0));
    }

    /// <summary>
    /// The same step at r = 0.5 over 12 classes (6 per rank, 3 sampled by each): every batch class is in a sample, the ranks'
    /// samples together are a class subset, and the loss and gradients equal one process's cross-entropy over that subset (the
    /// centres outside it get no gradient); the same seeds draw the same samples again.
    /// </summary>
    [Fact]
    public void ASampledShardedStepEqualsOneProcessOverTheUnionOfTheShardsSamples()
    {
        using var generator = new Generator(9);
        var x = randn(new long[] { 4, 3 }, dtype: float64, generator: generator);
        var w = randn(new long[] { 12, 3 }, dtype: float64, generator: generator);
        var labels = tensor(new long[] { 1, 8, 8, 2 });
        const double s = 8, m = 0.2;

        (double Loss, Tensor Rows, Tensor Shard, long[] Classes)[] Step() => ThreadCollective.Run(2, collective =>
        {
            var own = x.narrow(0, collective.Rank * 2, 2).clone().requires_grad_();
            var (start, count) = ShardedPartialFc.ShardRange(12, collective.Rank, collective.Size);
            var shard = w.narrow(0, start, count).clone().requires_grad_();
            var gathered = collective.AllGather(own.detach().contiguous()).requires_grad_();
            var local = ShardedPartialFc.LocalLabels(collective.AllGather(labels.narrow(0, collective.Rank * 2, 2).clone()), start, count);
            var (index, sampled) = ShardedPartialFc.SampleShard(local, count, 0.5, seed: 100UL + (ulong)collective.Rank);
            var c = F.normalize(gathered, dim: 1).matmul(F.normalize(shard.index_select(0, index!), dim: 1).t());
            var oneHot = zeros_like(c).scatter_(1, where(sampled.ge(0), sampled, zeros_like(sampled)).unsqueeze(1), sampled.ge(0).to(float64).unsqueeze(1));
            var loss = ShardedPartialFc.CrossEntropy(collective, (c - m * oneHot) * s, sampled);
            loss.backward();
            own.backward([ShardedPartialFc.OwnRowsGradient(collective, gathered.grad!)]);
            return (loss.item<double>(), own.grad!.clone(), shard.grad!.clone(), (index! + start).data<long>().ToArray());
        });
        var results = Step();
        var classes = results.SelectMany(r => r.Classes).ToArray();
        Assert.Equal(6, classes.Length);
        Assert.Subset(classes.ToHashSet(), new HashSet<long> { 1, 2, 8 });

        var union = tensor(classes);
        var remapped = tensor(labels.data<long>().ToArray().Select(l => (long)Array.IndexOf(classes, l)).ToArray());
        var px = x.clone().requires_grad_();
        var pw = w.clone().requires_grad_();
        var cos = F.normalize(px, dim: 1).matmul(F.normalize(pw.index_select(0, union), dim: 1).t());
        var expected = F.cross_entropy((cos - m * F.one_hot(remapped, 6).to(float64)) * s, remapped);
        expected.backward();
        foreach (var r in results) Assert.Equal(expected.item<double>(), r.Loss, 1e-10);
        AssertClose(px.grad!, cat([results[0].Rows, results[1].Rows], 0));
        AssertClose(pw.grad!, cat([results[0].Shard, results[1].Shard], 0));

        var again = Step();
        Assert.Equal(classes, again.SelectMany(r => r.Classes).ToArray());
        AssertClose(cat([results[0].Shard, results[1].Shard], 0), cat([again[0].Shard, again[1].Shard], 0));
    }

    [Fact]
    public void EachShardKeepsItsPositiveClassesSamplesTheRestToTheRateAndDrawsTheSameForTheSameSeed()
    {
        Assert.Equal(new (long, long)[] { (0, 4), (4, 3) }, new (long, long)[] { ShardedPartialFc.ShardRange(7, 0, 2), ShardedPartialFc.ShardRange(7, 1, 2) });
        Assert.Equal(new (long, long)[] { (0, 3), (3, 3), (6, 2) }, Enumerable.Range(0, 3).Select(r => ((long, long))ShardedPartialFc.ShardRange(8, r, 3)).ToArray());

        var labels = tensor(new long[] { 12, 3, 17, 12, 19, 1 });
        var (start, count) = ShardedPartialFc.ShardRange(20, 1, 2);  // classes 10 … 19
        var local = ShardedPartialFc.LocalLabels(labels, start, count);
        Assert.Equal([2L, -1, 7, 2, 9, -1], local.data<long>().ToArray());
        var (index, remapped) = ShardedPartialFc.SampleShard(local, count, 0.5, seed: 42);
        var chosen = index!.data<long>().ToArray();
        Assert.Equal(5, chosen.Length);
        Assert.Equal(chosen.Order(), chosen);
        Assert.Subset(chosen.ToHashSet(), new HashSet<long> { 2, 7, 9 });
        var back = remapped.data<long>().ToArray();
        var localValues = local.data<long>().ToArray();
        for (var i = 0; i < back.Length; i++)
            Assert.Equal(localValues[i], back[i] < 0 ? -1 : chosen[back[i]]);
        Assert.Equal(chosen, ShardedPartialFc.SampleShard(local, count, 0.5, seed: 42).Index!.data<long>().ToArray());
        Assert.NotEqual(chosen, ShardedPartialFc.SampleShard(local, count, 0.5, seed: 43).Index!.data<long>().ToArray());
        // Positives beyond the rate: all of them, nothing else.
        Assert.Equal([2L, 7, 9], ShardedPartialFc.SampleShard(local, count, 0.2, seed: 42).Index!.data<long>().ToArray());
        Assert.Null(ShardedPartialFc.SampleShard(local, count, 1.0, seed: 42).Index);
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        var difference = (expected - actual).abs().max().item<double>();
        Assert.True(difference < 1e-10, $"differs by {difference}");
    }
}

/// <summary>
/// Ranks as threads of one process: every collective posts the rank's tensor, waits for all, and combines them in rank
/// order (so every rank computes the same sums), then waits again before the slots are reused.
/// </summary>
internal sealed class ThreadCollective(int rank, ThreadCollective.Shared shared) : ICollective
{
    internal sealed class Shared(int size)
    {
        public readonly Barrier Barrier = new(size);
        public readonly Tensor?[] Slots = new Tensor?[size];
    }

    /// <summary>Runs <paramref name="body"/> as <paramref name="size"/> ranks, one thread each, and returns their results in rank order.</summary>
    public static T[] Run<T>(int size, Func<ICollective, T> body)
    {
        var shared = new Shared(size);
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(r => new Thread(() =>
        {
            try { results[r] = body(new ThreadCollective(r, shared)); }
            catch (Exception e) { errors[r] = e; shared.Barrier.RemoveParticipant(); }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (errors.FirstOrDefault(e => e is not null) is { } error) throw new AggregateException(error);
        return results;
    }

    public int Rank => rank;

    public int Size => shared.Slots.Length;

    /// <summary>Posts this rank's tensor, and once every rank has, combines all of them (in rank order) before any rank goes on.</summary>
    private Tensor Exchange(Tensor tensor, Func<Tensor[], Tensor> combine)
    {
        var mine = tensor.detach().clone().DetachFromDisposeScope();
        shared.Slots[rank] = mine;
        shared.Barrier.SignalAndWait();
        var result = combine(shared.Slots.Select(t => t!).ToArray());
        shared.Barrier.SignalAndWait();
        mine.Dispose();
        return result;
    }

    public void AllReduceSum(Tensor tensor)
    {
        using var sum = Exchange(tensor, all => all.Skip(1).Aggregate(all[0].clone(), (a, b) => a.add_(b)));
        tensor.copy_(sum);
    }

    public void AllReduceMax(Tensor tensor)
    {
        using var max = Exchange(tensor, all => all.Skip(1).Aggregate(all[0].clone(), (a, b) => a.maximum(b)));
        tensor.copy_(max);
    }

    public void Broadcast(Tensor tensor, int root = 0)
    {
        using var value = Exchange(tensor, all => all[root].clone());
        tensor.copy_(value);
    }

    public void Broadcast(Span<long> values, int root = 0)
    {
        using var value = Exchange(TorchSharp.torch.tensor(values.ToArray()), all => all[root].clone());
        value.data<long>().ToArray().CopyTo(values);
    }

    public Tensor AllGather(Tensor tensor) => Exchange(tensor, all => cat(all, 0));

    public Tensor? Gather(Tensor tensor, int root = 0)
    {
        var all = Exchange(tensor, all => cat(all, 0));
        if (rank == root) return all;
        all.Dispose();
        return null;
    }

    public void Barrier() => Exchange(zeros(1), all => zeros(1)).Dispose();

    public void Abort(int exitCode) => throw new InvalidOperationException($"rank {rank} aborted with {exitCode}");

    public void Dispose() { }
}
