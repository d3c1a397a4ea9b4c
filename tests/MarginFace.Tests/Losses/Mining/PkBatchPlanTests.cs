using MarginFace.Losses.Mining;

namespace MarginFace.Tests.Losses.Mining;

public class PkBatchPlanTests
{
    /// <summary>Identity c has <paramref name="counts"/>[c] images, labelled c.</summary>
    private static List<int> Samples(params int[] counts) => [.. counts.SelectMany((count, label) => Enumerable.Repeat(label, count))];

    [Fact]
    public void EachBatchHoldsPDistinctIdentitiesWithKImagesEach()
    {
        var samples = Samples(6, 5, 9, 4, 7, 8);
        var plan = new PkBatchPlan(3, 4);
        var order = plan.Order(samples, 6, seed: 7, epoch: 2, "faces");
        Assert.Equal(plan.Steps(samples.Count) * 12, order.Length);
        Assert.Equal(39 / 12, plan.Steps(samples.Count));
        foreach (var batch in order.Chunk(12))
        {
            var groups = batch.Chunk(4).ToArray();
            Assert.Equal(3, groups.Select(g => samples[g[0]]).Distinct().Count());
            foreach (var group in groups)
            {
                Assert.Single(group.Select(i => samples[i]).Distinct());
                Assert.Equal(4, group.Distinct().Count()); // every identity has ≥ 4 images: drawn without replacement
            }
        }
    }

    [Fact]
    public void TheOrderIsAFunctionOfSeedAndEpochAlone()
    {
        var samples = Samples(5, 5, 5, 5, 5, 5, 5, 5);
        var plan = new PkBatchPlan(4, 2);
        Assert.Equal(plan.Order(samples, 8, 1, 3, "faces"), plan.Order(samples, 8, 1, 3, "faces"));
        Assert.NotEqual(plan.Order(samples, 8, 1, 3, "faces"), plan.Order(samples, 8, 1, 4, "faces"));
        Assert.NotEqual(plan.Order(samples, 8, 1, 3, "faces"), plan.Order(samples, 8, 2, 3, "faces"));
    }

    [Fact]
    public void AnIdentityWithFewerThanKImagesIsDrawnWithReplacement()
    {
        var samples = Samples(1, 1, 1);
        var order = new PkBatchPlan(3, 2).Order([.. samples, .. Samples(0, 0, 0)], 3, 0, 1, "faces");
        Assert.Empty(order); // 3 images make no batch of 6
        var many = Samples(1, 1, 10);
        var plan = new PkBatchPlan(2, 3);
        foreach (var batch in plan.Order(many, 3, 0, 1, "faces").Chunk(6))
            foreach (var group in batch.Chunk(3))
                Assert.Single(group.Select(i => many[i]).Distinct());
    }

    [Fact]
    public void FewerIdentitiesThanPAndMalformedPkAreOneLineErrors()
    {
        var error = Assert.Throws<MarginFaceException>(() => new PkBatchPlan(4, 2).Order(Samples(5, 5, 5), 3, 0, 1, "faces")).Message;
        Assert.Equal("faces: 3 identities with images, fewer than the 4 of each P×K batch (P×K plan 4,2)", error);
        foreach (var text in new[] { "16", "16,1", "a,4", "1,4", "16,4,2" })
            Assert.StartsWith("P×K plan ", Assert.Throws<MarginFaceException>(() => PkBatchPlan.Parse(text)).Message);
        Assert.Equal(new PkBatchPlan(16, 4), PkBatchPlan.Parse(" 16 , 4 "));
    }
}
