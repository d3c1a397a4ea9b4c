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
        string Event(Action<FaceGallery>? before = null, long? saveAfter = null)
        {
            using var gallery = FaceGallery.Open(path);
            gallery.SearchMode = GallerySearchMode.Approximate;
            gallery.Engine.SaveAfterChanges = saveAfter;
            before?.Invoke(gallery);
            Assert.Equal("p007", gallery.Search(centres[7], top: 1)[0].Name);
            Assert.Equal("p031", gallery.Search(centres[31], top: 1)[0].Name);
            return gallery.IndexEvent!;
        }
        Assert.Equal("reopened", Event());
        // Stale: another process (here: another instance before this one searched) enrolled and removed.
        Assert.Equal("reopened, updated (+2 -2)", Event(g => { EnrolPeople(g, 1, 16, seed: 9, first: 40); g.Remove("p001"); }));
        // Four changes are fewer than the default bar for writing the file again: it stays as its stamp says, and the next
        // process applies them too; with the bar at four the update is written, and the next reopen has nothing to do.
        Assert.Equal("reopened, updated (+2 -2)", Event());
        Assert.Equal("reopened, updated (+2 -2)", Event(saveAfter: 4));
        Assert.Equal("reopened", Event());
        // A rename alone moves the stamp forward, not the file.
        var written = File.GetLastWriteTimeUtc(path + ".hnsw");
        Assert.Equal("reopened", Event(g => g.Rename("p007", "p007")));
        Assert.Equal("reopened", Event());
        Assert.Equal(written, File.GetLastWriteTimeUtc(path + ".hnsw"));

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

    private static void Sql(string path, string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void AGalleryOfSchema1GainsTheChangeLogAndAGapInTheLogMeansOneWholeRead()
    {
        var path = NewSpec();
        float[][] centres;
        using (var gallery = FaceGallery.Open(path, create: true)) centres = EnrolPeople(gallery, 10, 8, seed: 30);
        Sql(path, "DROP TABLE changes; UPDATE schema_version SET version = 1"); // what schema 1 wrote
        using var writer = FaceGallery.Open(path);
        using var reader = FaceGallery.Open(path);
        reader.SearchMode = GallerySearchMode.Approximate;
        Assert.Equal("p002", reader.Search(centres[2], top: 1)[0].Name);
        var added = EnrolPeople(writer, 1, 8, seed: 31, first: 10);
        Assert.Equal("p010", reader.Search(added[0], top: 1)[0].Name);
        Assert.Equal("updated from 1 change (+2 -0)", reader.IndexEvent);

        // A change the log no longer holds (pruned, or written before it existed): the reader reads every owner once.
        var more = EnrolPeople(writer, 1, 8, seed: 32, first: 11);
        EnrolPeople(writer, 1, 8, seed: 33, first: 12);
        Sql(path, "DELETE FROM changes WHERE seq = (SELECT MAX(seq) FROM changes) - 1");
        Assert.Equal("p011", reader.Search(more[0], top: 1)[0].Name);
        Assert.Equal("updated (+4 -0)", reader.IndexEvent);
        Assert.Equal("p011", reader.Search(more[0], top: 1)[0].Name);
        writer.Remove("p011");
        Assert.NotEqual("p011", reader.Search(more[0], top: 1)[0].Name);
        Assert.Equal("updated from 1 change (+0 -2)", reader.IndexEvent);
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
