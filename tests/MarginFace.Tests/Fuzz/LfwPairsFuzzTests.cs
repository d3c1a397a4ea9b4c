using MarginFace.Evaluation;

namespace MarginFace.Tests.Fuzz;

/// <summary>Mutated pairs files are read or refused with a one-line <see cref="MarginFaceException"/>, nothing else.</summary>
public class LfwPairsFuzzTests
{
    /// <summary>Two folds of two same-person and two different-person pairs.</summary>
    internal const string Seed = "2\t2\nAda\t1\t2\nBob\t1\t3\nAda\t1\tBob\t2\nCy\t4\tDee\t1\nCy\t2\t4\nDee\t1\t2\nAda\t2\tCy\t1\nBob\t3\tDee\t2\n";

    [Fact]
    public void TheSeedIsValid() => Assert.Equal(8, LfwPairs.Parse(new StringReader(Seed), "seed.txt").Pairs.Count);

    [Fact]
    public void MutatedFilesAreReadOrRefusedInOneLine() =>
        TextFuzz.Run(Seed, iterations: 1500, rngSeed: 43, text => LfwPairs.Parse(new StringReader(text), "fuzz.txt"));

    [Fact]
    public void ALineLongerThanTheBudgetIsRefusedUnread()
    {
        var text = "1 1\n" + new string('x', LfwPairs.MaxLineLength + 1) + "\n";
        var error = Assert.Throws<MarginFaceException>(() => LfwPairs.Parse(new StringReader(text), "long.txt"));
        Assert.Equal($"long.txt:2: line longer than {LfwPairs.MaxLineLength} characters", error.Message);
    }

    [Fact]
    public void AHeaderPromisingBillionsOfPairsIsRefusedWithoutWaitingForThem()
    {
        var error = Assert.Throws<MarginFaceException>(() => LfwPairs.Parse(new StringReader("2000000000 2000000000\nAda 1 2\n"), "huge.txt"));
        Assert.StartsWith("huge.txt:", error.Message);
    }
}
