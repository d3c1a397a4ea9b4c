using Microsoft.Data.Sqlite;
using MarginFace.FaceModels;
using MarginFace.Galleries;

namespace MarginFace.Tests.Galleries;

public class FaceGalleryTests
{
    private const string Model = "mobilefacenet-test-1";

    private static string Sha(int i) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));

    private static float[] RandomVector(Random random, int dimension) =>
        Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static GalleryEntry[] Entries(Random random, int first, int count, int dimension = 8) =>
        Enumerable.Range(first, count).Select(i => new GalleryEntry(Sha(i), RandomVector(random, dimension))).ToArray();

    [Fact]
    public void EnrolListRenameAndRemoveKeepCountsPerPerson()
    {
        using var dir = new TempDirectory();
        var random = new Random(1);
        using var gallery = FaceGallery.Open(dir.Combine("g.db"), create: true);
        Assert.Equal(new EnrolmentResult("Ada", true, 3, 0), gallery.Enrol("  Ada ", Entries(random, 0, 3), Model));
        Assert.Equal(new EnrolmentResult("Bo", true, 2, 0), gallery.Enrol("Bo", Entries(random, 3, 2), Model));
        Assert.Equal(new EnrolmentResult("Ada", false, 1, 0), gallery.Enrol("Ada", Entries(random, 5, 1), Model));
        Assert.Equal([new GalleryPerson("Ada", 4), new GalleryPerson("Bo", 2)], gallery.List());
        gallery.Rename("Bo", "Cy");
        Assert.Equal(2, gallery.Remove("Cy"));
        Assert.Equal([new GalleryPerson("Ada", 4)], gallery.List());
        Assert.Equal(Model, gallery.ModelId);
        Assert.Equal(8, gallery.Dimension);
        Assert.Contains("no person named 'Cy'", Assert.Throws<MarginFaceException>(() => gallery.Remove("Cy")).Message);
    }

    [Fact]
    public void TheFirstEnrolmentThatNamesItsModelIsRememberedAndLaterOnesDoNotReplaceIt()
    {
        using var dir = new TempDirectory();
        var random = new Random(4);
        var path = dir.Combine("g.db");
        using (var gallery = FaceGallery.Open(path, create: true))
        {
            Assert.Null(gallery.ModelReference);
            gallery.Enrol("Ada", Entries(random, 0, 1), Model);
            Assert.Null(gallery.ModelReference);
            gallery.Enrol("Ada", Entries(random, 1, 1), Model, new FaceModelReference("/models/a.onnx", OnnxModelConvention.ArcFace));
            gallery.Enrol("Bo", Entries(random, 2, 1), Model, FaceModelReference.Of("pretrained"));
        }
        using (var reopened = FaceGallery.Open(path))
            Assert.Equal(new FaceModelReference("/models/a.onnx", OnnxModelConvention.ArcFace), reopened.ModelReference);

        // A refused enrolment (another model) remembers nothing either.
        var other = dir.Combine("other.db");
        using var second = FaceGallery.Open(other, create: true);
        second.Enrol("Ada", Entries(random, 3, 1), Model);
        Assert.Throws<MarginFaceException>(() => second.Enrol("Bo", Entries(random, 4, 1), "another-model", FaceModelReference.Of("pretrained")));
        Assert.Null(second.ModelReference);
        Assert.True(FaceModelReference.Of("PreTrained").IsPretrained);
        Assert.Equal(Path.GetFullPath("m.model"), FaceModelReference.Of("m.model").Path);
    }

    [Fact]
    public void AnEditedModelConventionIsAOneLineErrorNamingTheGallery()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("g.db");
        using (var gallery = FaceGallery.Open(path, create: true))
            gallery.Enrol("Ada", Entries(new Random(5), 0, 1), Model, new FaceModelReference("/m.onnx"));
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE meta SET value = '7' WHERE key = 'model_convention'";
            Assert.Equal(1, command.ExecuteNonQuery());
        }
        using var edited = FaceGallery.Open(path);
        var error = Assert.Throws<MarginFaceException>(() => edited.ModelReference);
        Assert.Equal($"{path}: the gallery's model convention '7' is not one this program knows (edited, or a newer marginface)", error.Message);
    }

    [Fact]
    public void TheSameImagesEnrolledTwiceAreReportedAsDuplicatesAndChangeNothing()
    {
        using var dir = new TempDirectory();
        using var gallery = FaceGallery.Open(dir.Combine("g.db"), create: true);
        var entries = Entries(new Random(2), 0, 4);
        gallery.Enrol("Ada", entries, Model);
        Assert.Equal(new EnrolmentResult("Ada", false, 0, 4), gallery.Enrol("Ada", entries, Model));
        Assert.Equal(new EnrolmentResult("Ada", false, 1, 2), gallery.Enrol("Ada", [.. entries[..2], .. Entries(new Random(3), 9, 1)], Model));
        Assert.Equal([new GalleryPerson("Ada", 5)], gallery.List());
    }

    [Fact]
    public void EmbeddingsOfAnotherModelOrDimensionAreRefusedInOneLineAndChangeNothing()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("g.db");
        using var gallery = FaceGallery.Open(path, create: true);
        gallery.Enrol("Ada", Entries(new Random(4), 0, 2), Model);
        var other = Assert.Throws<MarginFaceException>(() => gallery.Enrol("Bo", Entries(new Random(5), 2, 1), "another-model"));
        Assert.Equal($"{path}: gallery holds embeddings of model '{Model}', not 'another-model'", other.Message);
        var size = Assert.Throws<MarginFaceException>(() => gallery.Enrol("Bo", Entries(new Random(5), 2, 1, dimension: 16), Model));
        Assert.StartsWith($"{path}: gallery holds 8-dimensional embeddings", size.Message);
        Assert.Equal([new GalleryPerson("Ada", 2)], gallery.List());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t ")]
    [InlineData("two\nlines")]
    public void BadNamesAreRefused(string name)
    {
        using var dir = new TempDirectory();
        using var gallery = FaceGallery.Open(dir.Combine("g.db"), create: true);
        Assert.Throws<MarginFaceException>(() => gallery.Enrol(name, Entries(new Random(6), 0, 1), Model));
        Assert.Empty(gallery.List());
    }

    [Fact]
    public void NamesMayHave256CharactersButNot257()
    {
        using var dir = new TempDirectory();
        using var gallery = FaceGallery.Open(dir.Combine("g.db"), create: true);
        gallery.Enrol(new string('n', 256), Entries(new Random(7), 0, 1), Model);
        var error = Assert.Throws<MarginFaceException>(() => gallery.Enrol(new string('n', 257), Entries(new Random(7), 1, 1), Model));
        Assert.Contains("257", error.Message);
        Assert.Throws<MarginFaceException>(() => gallery.Rename(new string('n', 256), ""));
    }

    [Fact]
    public void RenamingOntoATakenNameIsRefused()
    {
        using var dir = new TempDirectory();
        using var gallery = FaceGallery.Open(dir.Combine("g.db"), create: true);
        gallery.Enrol("Ada", Entries(new Random(8), 0, 1), Model);
        gallery.Enrol("Bo", Entries(new Random(8), 1, 1), Model);
        Assert.Contains("already exists", Assert.Throws<MarginFaceException>(() => gallery.Rename("Ada", "Bo")).Message);
    }

    [Fact]
    public void SearchRanksPeopleByTheirBestCosineSimilarityAboveTheThreshold()
    {
        using var dir = new TempDirectory();
        using var gallery = FaceGallery.Open(dir.Combine("g.db"), create: true);
        gallery.Enrol("east", [new(Sha(0), [1, 0]), new(Sha(1), [0, -3])], Model);
        gallery.Enrol("north", [new(Sha(2), [0, 2])], Model);
        gallery.Enrol("northeast", [new(Sha(3), [1, 1])], Model);
        var matches = gallery.Search([0.1f, 1f], top: 2);
        Assert.Equal(["north", "northeast"], matches.Select(m => m.Name));
        Assert.Equal(1 / MathF.Sqrt(1.01f), matches[0].Similarity, 5);
        Assert.Equal(1.1f / MathF.Sqrt(1.01f * 2), matches[1].Similarity, 5);
        Assert.Equal(["north", "northeast"], gallery.Search([0.1f, 1f], top: 5, threshold: 0.5f).Select(m => m.Name));
        Assert.Empty(gallery.Search([-1f, 0f], top: 5, threshold: 0.5f));
        // After a write the in-memory matrix is reloaded.
        gallery.Remove("north");
        Assert.Equal("northeast", gallery.Search([0.1f, 1f], top: 1)[0].Name);
    }

    [Fact]
    public void SearchAgreesWithABruteForceCosineOverEveryEmbedding()
    {
        using var dir = new TempDirectory();
        var random = new Random(9);
        using var gallery = FaceGallery.Open(dir.Combine("g.db"), create: true);
        var all = new List<(string Name, float[] Vector)>();
        for (int p = 0; p < 60; p++)
        {
            var entries = Entries(random, p * 100, 1 + p % 5, dimension: 37);
            gallery.Enrol($"p{p}", entries, Model);
            all.AddRange(entries.Select(e => ($"p{p}", e.Embedding)));
        }
        gallery.SearchThreads = 2;
        for (int q = 0; q < 5; q++)
        {
            var query = RandomVector(random, 37);
            static double Cos(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));
            var expected = all.GroupBy(e => e.Name).Select(g => (Name: g.Key, Best: g.Max(e => Cos(e.Vector, query)))).OrderByDescending(e => e.Best).Take(7).ToList();
            var actual = gallery.Search(query, top: 7);
            Assert.Equal(expected.Select(e => e.Name), actual.Select(m => m.Name));
            for (int i = 0; i < 7; i++) Assert.Equal(expected[i].Best, actual[i].Similarity, 4);
        }
    }

    [Fact]
    public void AFileThatIsNotSQLiteIsAOneLineErrorNamingIt()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("gallery.db");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("not a database at all\n", 200)));
        var error = Assert.Throws<MarginFaceException>(() => FaceGallery.Open(path));
        Assert.StartsWith($"{path}: not a SQLite gallery", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ASQLiteFileOfSomethingElseIsNotAGallery()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("other.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE songs (title TEXT)";
            command.ExecuteNonQuery();
        }
        Assert.StartsWith($"{path}: a SQLite database but not a MarginFace gallery", Assert.Throws<MarginFaceException>(() => FaceGallery.Open(path)).Message);
    }

    [Fact]
    public void AGalleryFromANewerSchemaIsRefused()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("g.db");
        FaceGallery.Open(path, create: true).Dispose();
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE schema_version SET version = 3";
            command.ExecuteNonQuery();
        }
        var error = Assert.Throws<MarginFaceException>(() => FaceGallery.Open(path));
        Assert.Equal($"{path}: gallery has schema version 3, newer than this program's 2; use a newer marginface", error.Message);
    }

    [Fact]
    public void AMissingGalleryIsAnErrorUnlessCreating()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("none.db");
        Assert.Equal($"{path}: gallery file not found", Assert.Throws<MarginFaceException>(() => FaceGallery.Open(path)).Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void AWriterWaitsForTheBusyTimeoutThenGivesUpInOneLineWhileReadersKeepReading()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("g.db");
        using (var setup = FaceGallery.Open(path, create: true)) setup.Enrol("Ada", Entries(new Random(10), 0, 2), Model);
        using var holder = new SqliteConnection($"Data Source={path};Pooling=False");
        holder.Open();
        using var transaction = holder.BeginTransaction(deferred: false);
        using (var command = holder.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO people (name) VALUES ('Writer')";
            command.ExecuteNonQuery();
        }
        using var gallery = FaceGallery.Open(path, busyTimeout: TimeSpan.FromMilliseconds(300));
        Assert.Equal([new GalleryPerson("Ada", 2)], gallery.List());
        var error = Assert.Throws<MarginFaceException>(() => gallery.Enrol("Bo", Entries(new Random(11), 5, 1), Model));
        Assert.Equal($"{path}: gallery is locked by another process (gave up after the busy timeout)", error.Message);
        transaction.Rollback();
        Assert.Equal([new GalleryPerson("Ada", 2)], gallery.List());
    }
}
