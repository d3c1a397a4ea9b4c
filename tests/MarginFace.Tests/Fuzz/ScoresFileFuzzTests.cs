using MarginFace.Evaluation;

namespace MarginFace.Tests.Fuzz;

/// <summary>Mutated scores files are read or refused with a one-line <see cref="MarginFaceException"/>, nothing else.</summary>
public class ScoresFileFuzzTests
{
    private static readonly LfwPairs Pairs = LfwPairs.Parse(new StringReader(LfwPairsFuzzTests.Seed), "pairs.txt");

    private static string Seed() =>
        ScoresFile.Header + "\n" + string.Join("", Pairs.Pairs.Select((p, i) => $"{p.Name1}\t{p.Number1}\t{p.Name2}\t{p.Number2}\t{0.1 * i - 0.3}\n"));

    [Fact]
    public void TheSeedIsValid() => Assert.Equal(Pairs.Pairs.Count, ScoresFile.Parse(new StringReader(Seed()), "seed.tsv", Pairs).Length);

    [Fact]
    public void MutatedFilesAreReadOrRefusedInOneLine() =>
        TextFuzz.Run(Seed(), iterations: 1500, rngSeed: 41, text => ScoresFile.Parse(new StringReader(text), "fuzz.tsv", Pairs));

    [Fact]
    public void MutatedSamePersonFilesAreReadOrRefusedInOneLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mf-fuzz-scores-{Guid.NewGuid():N}.tsv");
        try
        {
            var seed = ScoresFile.Header + "\nAda\t1\tAda\t2\t0.5\nBob\t1\tBob\t3\t0.25\nCy\t2\tCy\t4\t-0.125\n";
            TextFuzz.Run(seed, iterations: 400, rngSeed: 42, text =>
            {
                File.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text)); // a lone surrogate becomes U+FFFD, as on disk
                ScoresFile.ReadSamePairs(path);
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ALineLongerThanTheBudgetIsRefusedUnread()
    {
        var text = ScoresFile.Header + "\n" + new string('x', ScoresFile.MaxLineLength + 1) + "\n";
        var error = Assert.Throws<MarginFaceException>(() => ScoresFile.Parse(new StringReader(text), "long.tsv", Pairs));
        Assert.Equal($"long.tsv:2: line longer than {ScoresFile.MaxLineLength} characters", error.Message);
    }
}
