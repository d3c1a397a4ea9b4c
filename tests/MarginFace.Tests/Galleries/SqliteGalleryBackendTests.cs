using MarginFace.Galleries;

namespace MarginFace.Tests.Galleries;

/// <summary>The shared gallery suite on SQLite (copies go to PostgreSQL), and the SQLite gallery's persisted HNSW index.</summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class SqliteGalleryBackendTests(PostgresServer server) : GalleryBackendTests, IDisposable
{
    private readonly TempDirectory dir = new();
    private int files;

    protected override string NewSpec() => dir.Combine($"g{++files}.db");

    protected override string OtherBackendSpec() => server.CreateDatabase();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void TheIndexIsPersistedReopenedUpdatedAndRebuiltWhenDamagedOrForeignNeverUsed()
    {
        var path = NewSpec();
        float[][] centres;
        using (var gallery = FaceGallery.Open(path, create: true))
        {
            gallery.SearchMode = GallerySearchMode.Approximate;
            centres = EnrolPeople(gallery, 40, 16, seed: 8);
            Assert.Equal("p007", gallery.Search(centres[7], top: 1)[0].Name);
            Assert.Equal("rebuilt: no index stamp", gallery.IndexEvent);
        }
        Assert.True(File.Exists(path + ".hnsw") && File.Exists(path + ".hnsw.keys") && File.Exists(path + ".hnsw.stamp"));
        string Event(Action<FaceGallery>? before = null)
        {
            using var gallery = FaceGallery.Open(path);
            gallery.SearchMode = GallerySearchMode.Approximate;
            before?.Invoke(gallery);
            Assert.Equal("p007", gallery.Search(centres[7], top: 1)[0].Name);
            Assert.Equal("p031", gallery.Search(centres[31], top: 1)[0].Name);
            return gallery.IndexEvent!;
        }
        Assert.Equal("reopened", Event());
        // Stale: another process (here: another instance before this one searched) enrolled and removed.
        Assert.Equal("reopened, updated (+2 -2)", Event(g => { EnrolPeople(g, 1, 16, seed: 9, first: 40); g.Remove("p001"); }));
        Assert.Equal("reopened", Event());

        // A damaged index file: its digest no longer matches the stamp; rebuilt, not loaded.
        var bytes = File.ReadAllBytes(path + ".hnsw");
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path + ".hnsw", bytes);
        Assert.StartsWith("rebuilt: index file does not match its stamp's SHA-256", Event());
        Assert.Equal("reopened", Event());

        // Garbage in the stamp; then a stamp of another model: both rebuilt.
        File.WriteAllText(path + ".hnsw.stamp", "{not json");
        Assert.StartsWith("rebuilt: index stamp unreadable", Event());
        var stamp = File.ReadAllText(path + ".hnsw.stamp").Replace(GalleryBackendTests.Model, "another-model");
        File.WriteAllText(path + ".hnsw.stamp", stamp);
        Assert.StartsWith("rebuilt: index of model 'another-model'", Event());
        // A truncated keys file.
        File.WriteAllBytes(path + ".hnsw.keys", new byte[24]);
        Assert.StartsWith("rebuilt: keys file of 24 bytes", Event());
    }

    [Fact]
    public void BelowTheThresholdAutoSearchesExactlyAndWritesNoIndexFile()
    {
        var path = NewSpec();
        using var gallery = FaceGallery.Open(path, create: true);
        var centres = EnrolPeople(gallery, 10, 8, seed: 10);
        Assert.Equal("p003", gallery.Search(centres[3], top: 1)[0].Name);
        Assert.Null(gallery.IndexEvent);
        Assert.False(File.Exists(path + ".hnsw"));
    }
}
