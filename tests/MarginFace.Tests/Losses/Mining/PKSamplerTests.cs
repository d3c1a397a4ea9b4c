using MarginFace.Losses.Mining;

namespace MarginFace.Tests.Losses.Mining;

public class PKSamplerTests
{
    // identity 10 has 5 images, 20 has 3, 30 has 1, 40 has 4, 50 has 2
    private static readonly int[] Labels = { 10, 20, 10, 30, 40, 10, 20, 40, 10, 50, 40, 20, 10, 50, 40 };

    [Fact]
    public void EveryBatchHoldsKSamplesOfPDistinctIdentities()
    {
        var sampler = new PKSampler(Labels, p: 2, k: 3, seed: 1);
        var batches = sampler.Epoch(0).ToList();
        Assert.Equal(2, batches.Count); // ⌊5 / 2⌋
        var seen = new HashSet<int>();
        foreach (var batch in batches)
        {
            Assert.Equal(6, batch.Length);
            var groups = batch.Chunk(3).Select(g => g.Select(i => Labels[i]).Distinct().Single()).ToList();
            Assert.Equal(2, groups.Distinct().Count());
            Assert.All(groups, id => Assert.True(seen.Add(id), "identity repeated within an epoch"));
        }
    }

    [Fact]
    public void IdentitiesWithFewerThanKImagesAreSampledWithReplacementCoveringAllTheirImages()
    {
        var sampler = new PKSampler(Labels, p: 5, k: 4, seed: 3);
        var batch = Assert.Single(sampler.Epoch(0));
        var of30 = batch.Where(i => Labels[i] == 30).ToList();
        Assert.Equal(new[] { 3, 3, 3, 3 }, of30);
        var of50 = batch.Where(i => Labels[i] == 50).ToList();
        Assert.Equal(4, of50.Count);
        Assert.Equal(new[] { 9, 13 }, of50.Distinct().Order());
        var of10 = batch.Where(i => Labels[i] == 10).ToList();
        Assert.Equal(4, of10.Distinct().Count()); // enough images: no repeats
    }

    [Fact]
    public void SameSeedGivesTheSameEpochsAndEpochsDiffer()
    {
        var a = new PKSampler(Labels, 2, 2, seed: 7);
        var b = new PKSampler(Labels, 2, 2, seed: 7);
        Assert.Equal(a.Epoch(3).ToList(), b.Epoch(3).ToList());
        var many = Enumerable.Range(0, 10).Select(e => string.Join(",", a.Epoch(e).SelectMany(x => x))).Distinct().Count();
        Assert.True(many > 1);
    }

    [Fact]
    public void EnumeratingTheSamplerYieldsSuccessiveEpochs()
    {
        var sampler = new PKSampler(Labels, 2, 2, seed: 9);
        var first = sampler.ToList();
        var second = sampler.ToList();
        Assert.Equal(sampler.Epoch(0).ToList(), first);
        Assert.Equal(sampler.Epoch(1).ToList(), second);
    }

    [Fact]
    public void InvalidArgumentsNameTheArgument()
    {
        Assert.Equal("p", Assert.ThrowsAny<ArgumentException>(() => new PKSampler(Labels, 6, 2, 0)).ParamName);
        Assert.Equal("p", Assert.ThrowsAny<ArgumentException>(() => new PKSampler(Labels, 0, 2, 0)).ParamName);
        Assert.Equal("k", Assert.ThrowsAny<ArgumentException>(() => new PKSampler(Labels, 2, 0, 0)).ParamName);
        Assert.Equal("labels", Assert.ThrowsAny<ArgumentException>(() => new PKSampler(Array.Empty<int>(), 1, 1, 0)).ParamName);
        Assert.Equal("epoch", Assert.ThrowsAny<ArgumentException>(() => new PKSampler(Labels, 2, 2, 0).Epoch(-1)).ParamName);
    }
}
