using MarginFace.Interop.FaceApi;
using MarginFace.Tests.Mnist;

namespace MarginFace.Tests.Interop;

[Trait("Category", "Integration")]
public class FaceApiModelCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TarballWithAnotherDigestIsRefusedAndTheCacheStaysEmpty()
    {
        var fetcher = new FakePackageFetcher([0x1f, 0x8b, 1, 2, 3]);
        var cache = new FaceApiModelCache(fetcher, _temp.Path);
        var error = Assert.Throws<MarginFaceException>(() => cache.EnsureAvailable());
        Assert.StartsWith($"{FaceApiModelCache.Spec}: package-1.0.0.tgz has SHA-256 ", error.Message);
        Assert.EndsWith("expected 0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031; the cache was left unchanged", error.Message);
        Assert.Equal([FaceApiModelCache.Spec], fetcher.Specs);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [FaceApiFact]
    public void FilesPlacedInTheCacheWithTheRightDigestsAreUsedWithoutFetching()
    {
        var fetcher = new FakePackageFetcher([]);
        var cache = new FaceApiModelCache(fetcher, _temp.Path);
        var source = FaceApiTestModel.Cache;
        source.EnsureAvailable();
        Directory.CreateDirectory(cache.Directory);
        foreach (var name in new[] { FaceApiModelCache.ManifestFile, FaceApiModelCache.WeightsFile })
            File.Copy(Path.Combine(source.Directory, name), Path.Combine(cache.Directory, name));
        Assert.Equal(cache.ManifestPath, cache.EnsureAvailable());
        Assert.Equal(0, fetcher.Calls);
    }
}
