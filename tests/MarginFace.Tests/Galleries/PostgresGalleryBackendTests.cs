using MarginFace.Galleries;

namespace MarginFace.Tests.Galleries;

/// <summary>The shared gallery suite on PostgreSQL (copies go to SQLite), and what only a server can do wrong.</summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgresGalleryBackendTests(PostgresServer server) : GalleryBackendTests, IDisposable
{
    private readonly TempDirectory dir = new();

    protected override string NewSpec() => server.CreateDatabase();

    protected override string OtherBackendSpec() => dir.Combine("other.db");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void AServerStoppedMidEnrolmentStoresNothingSaysSoInOneLineAndTheNextCallReconnects()
    {
        var spec = NewSpec();
        using var gallery = FaceGalleries.Open(spec);
        EnrolPeople(gallery, 3, 8, seed: 11);
        var random = new Random(12);
        var enrolments = Enumerable.Range(0, 4).Select(p => ($"new{p}", (IReadOnlyList<GalleryEntry>)[new GalleryEntry(Sha(100 + p), Unit(random, 8))])).ToList();
        MarginFaceException error;
        try
        {
            error = Assert.Throws<MarginFaceException>(() => gallery.EnrolAll(enrolments, Model, (name, _) => { if (name == "new2") server.Stop(); }));
        }
        finally
        {
            server.Start();
        }
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain(PostgresServer.Password, error.Message);
        Assert.StartsWith($"postgres://{PostgresServer.User}@127.0.0.1:{server.Port}/", error.Message);
        Assert.Equal(6, gallery.Count); // reconnected, and none of new0..new3 is there
        Assert.DoesNotContain(gallery.List(), p => p.Name.StartsWith("new", StringComparison.Ordinal));
        gallery.EnrolAll(enrolments, Model);
        Assert.Equal(10, gallery.Count);
    }

    [Fact]
    public void AWrongPasswordAMissingDatabaseOrABadUriIsOneLineWithoutThePassword()
    {
        var wrong = server.Uri("postgres").Replace(Uri.EscapeDataString(PostgresServer.Password), "wrong-secret-pw");
        var login = Assert.Throws<MarginFaceException>(() => FaceGalleries.Open(wrong)).Message;
        Assert.Contains("refused the login", login);
        Assert.DoesNotContain("wrong-secret-pw", login);
        var missing = Assert.Throws<MarginFaceException>(() => FaceGalleries.Open(server.Uri("no_such_db"))).Message;
        Assert.Contains("database does not exist", missing);
        Assert.DoesNotContain(PostgresServer.Password, missing);
        var down = Assert.Throws<MarginFaceException>(() => FaceGalleries.Open($"postgres://u:{PostgresServer.Password}@127.0.0.1:1/db")).Message;
        Assert.Contains("cannot reach the PostgreSQL server", down);
        Assert.DoesNotContain(PostgresServer.Password, down);
        var option = Assert.Throws<MarginFaceException>(() => FaceGalleries.Open($"postgres://u:{PostgresServer.Password}@127.0.0.1:1/db?frobnicate=1")).Message;
        Assert.Contains("'frobnicate' not understood", option);
        Assert.DoesNotContain(PostgresServer.Password, option);
        foreach (var message in new[] { login, missing, down, option }) Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void ASchemaFromANewerMarginfaceIsRefusedAndOpeningTwiceMigratesOnce()
    {
        var spec = NewSpec();
        using (FaceGalleries.Open(spec)) { }
        using (var again = FaceGalleries.Open(spec)) Assert.Null(again.ModelId);
        using (var connection = new Npgsql.NpgsqlConnection(Npgsql(spec)))
        {
            connection.Open();
            using var command = new Npgsql.NpgsqlCommand("INSERT INTO marginface.schema_version (version) VALUES (99)", connection);
            command.ExecuteNonQuery();
        }
        Assert.Contains("schema version 99, newer than this program's 2", Assert.Throws<MarginFaceException>(() => FaceGalleries.Open(spec)).Message);
    }

    [Fact]
    public void ADatabaseOfSchema1GainsTheChangeLogAndItsOldRowsMeanOneWholeRead()
    {
        var spec = NewSpec();
        using var reader = FaceGalleries.Open(spec);
        reader.SearchMode = GallerySearchMode.Approximate;
        float[][] centres;
        using (var writer = FaceGalleries.Open(spec)) centres = EnrolPeople(writer, 10, 8, seed: 40);
        Assert.Equal("p002", reader.Search(centres[2], top: 1)[0].Name);
        void Sql(string sql)
        {
            using var connection = new Npgsql.NpgsqlConnection(Npgsql(spec));
            connection.Open();
            using var command = new Npgsql.NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }
        // Back to schema 1, and a write as schema 1 logged it (a kind, no range), as a process of the older program would.
        Sql("""
            ALTER TABLE marginface.changes DROP COLUMN person_id, DROP COLUMN first_id, DROP COLUMN last_id;
            DELETE FROM marginface.schema_version WHERE version = 2;
            DELETE FROM marginface.embeddings WHERE person_id = (SELECT id FROM marginface.people WHERE name = 'p002');
            DELETE FROM marginface.people WHERE name = 'p002';
            INSERT INTO marginface.changes (kind) VALUES ('remove');
            """);
        using var migrated = FaceGalleries.Open(spec);
        var added = EnrolPeople(migrated, 1, 8, seed: 41, first: 10);
        Assert.Equal("p010", reader.Search(added[0], top: 1)[0].Name);
        Assert.Equal("updated (+2 -2)", reader.IndexEvent); // the old row cannot be replayed: one whole read
        Assert.NotEqual("p002", reader.Search(centres[2], top: 1)[0].Name);
        migrated.Rename("p010", "Ada");
        Assert.Equal("Ada", reader.Search(added[0], top: 1)[0].Name);
        Assert.Equal("updated from 1 change (+0 -0)", reader.IndexEvent);
    }

    private static string Npgsql(string uri) => PostgresFaceGallery.Parse(uri).ConnectionString;
}
