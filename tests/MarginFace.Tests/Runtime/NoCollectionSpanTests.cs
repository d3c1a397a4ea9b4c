using System.Runtime;
using MarginFace.Runtime;

namespace MarginFace.Tests.Runtime;

// Not run beside other tests: a no-GC region is process-wide and another test's GC.Collect would end it.
[Collection(SequentialTorchCollection.Name)]
public class NoCollectionSpanTests
{
    [Fact]
    public void NoCollectionHappensInsideASpanWhileOtherThreadsAllocateWithinTheBudget()
    {
        using var span = NoCollectionSpan.Begin(256L << 20);
        Assert.True(span.IsOpen);
        var before = GC.CollectionCount(0);
        var kept = Task.Run(() => Enumerable.Range(0, 200).Select(_ => new byte[100_000]).ToList()).Result;
        for (int i = 0; i < 10_000; i++) _ = new object();
        Assert.Equal(before, GC.CollectionCount(0));
        Assert.Equal(200, kept.Count);
    }

    [Fact]
    public void DisposingEndsTheRegionAndASecondDisposeDoesNothing()
    {
        var span = NoCollectionSpan.Begin();
        Assert.True(span.IsOpen);
        span.Dispose();
        Assert.False(span.IsOpen);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        span.Dispose();
    }

    [Fact]
    public void ASpanInsideASpanDoesNothingAndLeavesTheOuterOpen()
    {
        using var outer = NoCollectionSpan.Begin();
        using (var inner = NoCollectionSpan.Begin()) Assert.False(inner.IsOpen);
        Assert.True(outer.IsOpen);
    }

    [Fact]
    public void ACollectionInsideTheSpanEndsItEarlyAndDisposeDoesNotThrow()
    {
        var span = NoCollectionSpan.Begin(16L << 20);
        GC.Collect();
        Assert.False(span.IsOpen);
        span.Dispose();
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void ABudgetBelowOneMebibyteIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NoCollectionSpan.Begin(1000));
}
