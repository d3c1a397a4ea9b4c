using System.Globalization;
using MarginFace.Evaluation;

namespace MarginFace.Tests.Fuzz;

/// <summary>Mutated embeddings files are read or refused with a one-line <see cref="MarginFaceException"/>, nothing else.</summary>
public class EmbeddingsFileFuzzTests
{
    private static string Seed()
    {
        var random = new Random(11);
        var lines = Enumerable.Range(0, 6).Select(i =>
            $"{{\"image\": \"Person_{i % 3}/Person_{i % 3}_{i:D4}.jpg\", \"embedding\": [{string.Join(", ", Enumerable.Range(0, 8).Select(_ => (random.NextDouble() * 2 - 1).ToString("R", CultureInfo.InvariantCulture)))}]}}");
        return string.Join('\n', lines) + "\n";
    }

    [Fact]
    public void TheSeedIsValid() => Assert.Equal(6, EmbeddingsFile.Parse(new StringReader(Seed()), "seed.jsonl").Count);

    [Fact]
    public void MutatedFilesAreReadOrRefusedInOneLine() =>
        TextFuzz.Run(Seed(), iterations: 1500, rngSeed: 40, text => EmbeddingsFile.Parse(new StringReader(text), "fuzz.jsonl"));
}
