using MarginFace.Galleries;

namespace MarginFace.Tests.Fuzz;

/// <summary>
/// Mutated gallery files (SQLite pages, the meta table, embeddings stored as blobs) open, list and search, or are refused
/// with a one-line <see cref="MarginFaceException"/> naming the gallery; never a raw SQLite or format exception.
/// </summary>
public class GalleryFileFuzzTests
{
    [Fact]
    public void MutatedGalleriesOpenListReadTheirModelAndSearchOrFailWithAMarginFaceException()
    {
        using var work = new TempDirectory();
        var seed = work.Combine("seed.db");
        using (var gallery = FaceGallery.Open(seed, create: true))
        {
            var random = new Random(3);
            for (int person = 0; person < 4; person++)
            {
                var entries = Enumerable.Range(0, 3).Select(image =>
                    new GalleryEntry($"{person:x2}{image:x2}".PadRight(64, '0'), [.. Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble() - 0.5f)])).ToList();
                gallery.Enrol($"person {person}", entries, "fuzz-model", new MarginFace.FaceModels.FaceModelReference("/models/fuzz.onnx", MarginFace.FaceModels.OnnxModelConvention.ArcFace));
            }
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var valid = File.ReadAllBytes(seed);
        var query = Enumerable.Range(0, 16).Select(i => i / 16f).ToArray();
        var count = 0;
        var (run, _) = FuzzLoop.Run(valid, seed: 11, cases: 400, budget: TimeSpan.FromSeconds(4), bytes =>
        {
            var path = work.Combine($"case-{Interlocked.Increment(ref count)}.db");
            File.WriteAllBytes(path, bytes);
            try
            {
                using var gallery = FaceGallery.Open(path);
                gallery.List();
                _ = gallery.ModelReference;
                gallery.Search(query, top: 3);
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            }
        });
        Assert.True(run > 0);
    }
}
