using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

public class CosineScoresTests
{
    private static readonly LfwPairs Pairs = LfwPairs.Parse(new StringReader("1 1\nAlice\t1\t2\nAlice\t1\tBob\t1\n"), "pairs.txt");

    [Fact]
    public void ScoresAreCosinesOfTheNormalisedEmbeddingsWhateverTheirLength()
    {
        // Alice 1 = (3, 4) → (0.6, 0.8); Alice 2 = (10, 0) → (1, 0); Bob 1 = (0, −2) → (0, −1).
        var lookup = new EmbeddingLookup([new("Alice/Alice_0001.jpg", [3f, 4f]), new("Alice/Alice_0002.jpg", [10f, 0f]), new("Bob/Bob_0001.jpg", [0f, -2f])], "e");
        var scores = CosineScores.ForPairs(Pairs, lookup);
        Assert.Equal(0.6, scores[0], 15);
        Assert.Equal(-0.8, scores[1], 15);
    }

    [Fact]
    public void AZeroEmbeddingIsAnErrorNamingTheImage()
    {
        var lookup = new EmbeddingLookup([new("Alice/Alice_0001.jpg", [0f, 0f]), new("Alice/Alice_0002.jpg", [1f, 0f]), new("Bob/Bob_0001.jpg", [0f, 1f])], "e");
        Assert.Equal("embedding of Alice/Alice_0001.jpg has norm 0, cannot normalise it",
            Assert.Throws<MarginFaceException>(() => CosineScores.ForPairs(Pairs, lookup)).Message);
    }

    [Fact]
    public void CosineDotMatchesTheScalarSumForEveryLength()
    {
        var random = new Random(4);
        for (int n = 1; n < 40; n++)
        {
            var a = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            var b = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
            Assert.Equal(a.Zip(b, (x, y) => x * y).Sum(), CosineScores.Dot(a, b), 12);
        }
    }
}
