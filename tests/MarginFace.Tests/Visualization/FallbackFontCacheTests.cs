using MarginFace.Tests.Mnist;
using MarginFace.Visualization;

namespace MarginFace.Tests.Visualization;

/// <summary>The DejaVu Sans fallback for machines without fonts: pinned, verified, and a one-line reason when it cannot be had.</summary>
[Trait("Category", "Integration")]
public class FallbackFontCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TarballWithAnotherDigestIsRefusedAndTheCacheStaysEmpty()
    {
        var fetcher = new FakePackageFetcher([0x1f, 0x8b, 1, 2, 3]);
        var cache = new FallbackFontCache(fetcher, _temp.Path);
        var error = Assert.Throws<MarginFaceException>(() => cache.EnsureAvailable());
        Assert.StartsWith($"{FallbackFontCache.Spec}: package-1.0.0.tgz has SHA-256 ", error.Message);
        Assert.EndsWith("expected b7013ac58f9225250619db82cfb72e99c37ca8195f2b5a06a9e6a95bc5e1c84a; the cache was left unchanged", error.Message);
        Assert.Equal([FallbackFontCache.Spec], fetcher.Specs);
        Assert.False(cache.IsAvailable);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void AFontThatCannotBeFetchedIsReportedOnceAndNoFamilyIsRegistered()
    {
        var warnings = new List<string>();
        var family = PlotFont.UseCachedFont(new FallbackFontCache(new FakePackageFetcher([1, 2, 3]), _temp.Path), warnings.Add);
        Assert.Null(family);
        var warning = Assert.Single(warnings);
        Assert.StartsWith($"{FallbackFontCache.Spec}: ", warning);
        Assert.DoesNotContain('\n', warning);
    }

    [NetworkFact]
    public void TheNpmPackageGivesBothFacesWithThePinnedDigestsAndScottPlotFindsThem()
    {
        var cache = new FallbackFontCache(cacheRoot: _temp.Path);
        Assert.Equal(FallbackFontCache.Family, PlotFont.UseCachedFont(cache, message => Assert.Fail(message)));
        Assert.True(cache.IsAvailable);
        using var typeface = ScottPlot.Fonts.GetTypeface(FallbackFontCache.Family, bold: true, italic: false);
        Assert.NotNull(typeface);
        Assert.True(typeface.GlyphCount > 1000);
    }
}
