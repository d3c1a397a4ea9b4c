using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

public class ScoresFileTests
{
    private static readonly LfwPairs Pairs = LfwPairs.Parse(new StringReader("2 1\nAlice\t1\t2\nAlice\t1\tBob\t3\nCarol\t2\t4\nDan\t1\tErin\t10\n"), "pairs.txt");

    private static double[] Parse(string text) => ScoresFile.Parse(new StringReader(text), "scores.tsv", Pairs);

    private static string ErrorOf(string text) => Assert.Throws<MarginFaceException>(() => Parse(text)).Message;

    private const string Header = "name1\tn1\tname2\tn2\tscore\n";

    [Fact]
    public void LinesInAnyOrderAndEitherImageOrderLandOnTheirPairs()
    {
        var scores = Parse(Header + "Erin\t10\tDan\t1\t-0.25\nCarol\t2\tCarol\t4\t1e-1\nAlice\t2\tAlice\t1\t0.9\nAlice\t1\tBob\t3\t0.125\n");
        Assert.Equal([0.9, 0.125, 0.1, -0.25], scores);
    }

    [Theory]
    [InlineData("", "scores.tsv:1: expected the header")]
    [InlineData("a\tb\tc\td\te\n", "scores.tsv:1: expected the header")]
    [InlineData(Header + "Alice\t1\tAlice\t2\n", "scores.tsv:2: expected 5 tab-separated fields")]
    [InlineData(Header + "Alice\t1\tAlice\t2\tx\n", "scores.tsv:2: score 'x' is not a finite number")]
    [InlineData(Header + "Alice\t1\tAlice\t2\tNaN\n", "scores.tsv:2: score 'NaN' is not a finite number")]
    [InlineData(Header + "Alice\tone\tAlice\t2\t0.5\n", "scores.tsv:2: 'one' is not an image number")]
    [InlineData(Header + "Alice\t1\tAlice\t3\t0.5\n", "scores.tsv:2: pair Alice 1 Alice 3 is not in pairs.txt")]
    [InlineData(Header + "Alice\t1\tAlice\t2\t0.5\nAlice\t2\tAlice\t1\t0.5\n", "scores.tsv:3: pair Alice 2 Alice 1 already scored on line 2")]
    [InlineData(Header + "Alice\t1\tAlice\t2\t0.5\n\nAlice\t1\tBob\t3\t0.5\n", "scores.tsv:3: empty line")]
    public void MalformedLinesAreOneLineErrorsWithTheLineNumber(string text, string expectedStart)
    {
        var message = ErrorOf(text);
        Assert.StartsWith(expectedStart, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void AMissingPairIsNamedWithItsLineInThePairsFile() =>
        Assert.Equal("scores.tsv: no score for pair Carol 2 Carol 4 (pairs.txt:4) and 1 more",
            ErrorOf(Header + "Alice\t1\tAlice\t2\t0.5\nAlice\t1\tBob\t3\t0.5\n"));

    [Fact]
    public void WrittenScoresReadBackExactly()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("scores.tsv");
        double[] scores = [0.1 + 0.2, -1e-300, 12345.678, Math.PI];
        ScoresFile.Write(path, Pairs, scores);
        Assert.Equal(scores, ScoresFile.Read(path, Pairs));
        Assert.StartsWith(ScoresFile.Header + "\nAlice\t1\tAlice\t2\t", File.ReadAllText(path));
    }

    [Fact]
    public void SamePairsWrittenFromAListReadBackInTheirOrderAndADifferentPairIsRefused()
    {
        using var work = new TempDirectory();
        LfwPair[] pairs = [new("Zed", 1, "Zed", 2, true, -1, 0), new("Amy", 2, "Amy", 3, true, -1, 0)];
        ScoresFile.Write(work.Combine("unseen.tsv"), pairs, [0.25, -0.5]);

        var (read, scores) = ScoresFile.ReadSamePairs(work.Combine("unseen.tsv"));

        Assert.Equal(pairs, read);
        Assert.Equal([0.25, -0.5], scores);
        Assert.Equal($"{work.Combine("unseen.tsv")}: no score for pair Bob 1 Bob 2 ({work.Combine("unseen.tsv")})",
            Assert.Throws<MarginFaceException>(() => ScoresFile.Read(work.Combine("unseen.tsv"), [.. pairs, new("Bob", 1, "Bob", 2, true, -1, 0)], work.Combine("unseen.tsv"))).Message);
        File.WriteAllText(work.Combine("mixed.tsv"), ScoresFile.Header + "\nZed\t1\tAmy\t2\t0.5\n");
        Assert.Equal($"{work.Combine("mixed.tsv")}:2: Zed and Amy: expected a same-person pair",
            Assert.Throws<MarginFaceException>(() => ScoresFile.ReadSamePairs(work.Combine("mixed.tsv"))).Message);
    }
}
