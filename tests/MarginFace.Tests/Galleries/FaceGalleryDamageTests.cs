using Microsoft.Data.Sqlite;
using MarginFace.Galleries;

namespace MarginFace.Tests.Galleries;

/// <summary>A gallery file edited by hand or damaged gives one line naming it; two first enrolments at once both land.</summary>
public class FaceGalleryDamageTests
{
    private const string Model = "mobilefacenet-test-1";

    private static string Sha(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));

    private static GalleryEntry[] Entries(int first, int count, int dimension = 8)
    {
        var random = new Random(first);
        return [.. Enumerable.Range(first, count).Select(i => new GalleryEntry(Sha(i), [.. Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1))]))];
    }

    private static string Gallery(TempDirectory dir)
    {
        var path = dir.Combine("g.db");
        using var gallery = FaceGallery.Open(path, create: true);
        gallery.Enrol("Ada", Entries(0, 3), Model);
        return path;
    }

    private static void Edit(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Theory]
    [InlineData("'eight'")]
    [InlineData("'-8'")]
    [InlineData("'0'")]
    [InlineData("'99999999999'")]
    [InlineData("'2000000000'")]
    [InlineData("'8.5'")]
    public void AnEditedDimensionIsOneLineNamingTheFileOnOpen(string value)
    {
        using var dir = new TempDirectory();
        var path = Gallery(dir);
        Edit(path, $"UPDATE meta SET value = {value} WHERE key = 'dimension'");
        var error = Assert.Throws<MarginFaceException>(() => FaceGallery.Open(path));
        Assert.StartsWith($"{path}: the gallery's dimension", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("CAST(vector AS TEXT)", "is stored as text")]
    [InlineData("'not a vector'", "is stored as text")]
    [InlineData("x'00000000'", "has 4 bytes, not 8 float32 values")]
    [InlineData("zeroblob(32)", "is zero or not finite")]
    [InlineData("1234", "is stored as integer")]
    public void AnEditedVectorIsOneLineNamingTheFileOnSearch(string value, string problem)
    {
        using var dir = new TempDirectory();
        var path = Gallery(dir);
        Edit(path, $"UPDATE embeddings SET vector = {value} WHERE id = (SELECT MIN(id) FROM embeddings)");
        using var gallery = FaceGallery.Open(path);
        var error = Assert.Throws<MarginFaceException>(() => gallery.Search(new float[8] { 1, 0, 0, 0, 0, 0, 0, 0 }));
        Assert.StartsWith($"{path}: ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AnEmbeddingWhosePersonWasDeletedByHandIsLeftOut()
    {
        using var dir = new TempDirectory();
        var path = Gallery(dir);
        using (var gallery = FaceGallery.Open(path)) gallery.Enrol("Bob", Entries(10, 2), Model);
        Edit(path, "PRAGMA foreign_keys = OFF; DELETE FROM people WHERE name = 'Ada'"); // as the sqlite3 shell would, without foreign keys
        using var reopened = FaceGallery.Open(path);
        var matches = reopened.Search(Entries(10, 1)[0].Embedding, top: 5);
        Assert.Equal(["Bob"], matches.Select(m => m.Name));
        Assert.Equal(1f, matches[0].Similarity, 1e-5f);
    }

    [Fact]
    public void AnEditedSchemaVersionIsOneLineNamingTheFile()
    {
        using var dir = new TempDirectory();
        var path = Gallery(dir);
        Edit(path, "UPDATE schema_version SET version = 'one'");
        var error = Assert.Throws<MarginFaceException>(() => FaceGallery.Open(path));
        Assert.StartsWith($"{path}: ", error.Message);
    }

    [Fact]
    public void ADirectoryIsNotAGalleryFile()
    {
        using var dir = new TempDirectory();
        Assert.Equal($"{dir.Path}: is a directory, not a gallery file", Assert.Throws<MarginFaceException>(() => FaceGallery.Open(dir.Path)).Message);
    }

    [Fact]
    public void TwoFirstEnrolmentsIntoANewGalleryAtOnceBothLand()
    {
        using var dir = new TempDirectory();
        // Each round: two threads, each with its own connection, open the same new file and enrol at the same moment.
        for (int round = 0; round < 12; round++)
        {
            var path = dir.Combine($"g{round}.db");
            using var start = new Barrier(2);
            var workers = Enumerable.Range(0, 2).Select(k => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                using var gallery = FaceGallery.Open(path, create: true, busyTimeout: TimeSpan.FromSeconds(30));
                gallery.Enrol($"person{k}", Entries(k * 10, 2), Model);
            }, TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(workers);
            using var check = FaceGallery.Open(path);
            Assert.Equal([new GalleryPerson("person0", 2), new GalleryPerson("person1", 2)], check.List());
        }
    }
}
