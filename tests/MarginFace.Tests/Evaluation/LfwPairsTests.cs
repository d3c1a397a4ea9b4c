using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

[Trait("Category", "Integration")]
public class LfwPairsTests
{
    private const string Valid = "2\t1\nAlice\t1\t2\nAlice\t1\tBob\t3\nCarol\t2\t4\nDan\t1\tErin\t10\n";

    private static LfwPairs Parse(string text) => LfwPairs.Parse(new StringReader(text), "pairs.txt");

    private static string ErrorOf(string text) => Assert.Throws<MarginFaceException>(() => Parse(text)).Message;

    [Fact]
    public void ReadsFoldsSamePairsBeforeDifferentPairsAndImagePaths()
    {
        var pairs = Parse(Valid);
        Assert.Equal(2, pairs.Folds);
        Assert.Equal(1, pairs.PairsPerClass);
        Assert.Equal([true, false, true, false], pairs.SameLabels());
        Assert.Equal([0, 0, 1, 1], pairs.FoldIndices());
        Assert.Equal(new LfwPair("Alice", 1, "Bob", 3, false, 0, 3), pairs.Pairs[1]);
        Assert.Equal("Carol/Carol_0002.jpg", pairs.Pairs[2].Image1);
        Assert.Equal("Erin/Erin_0010.jpg", pairs.Pairs[3].Image2);
        Assert.Equal(["Alice/Alice_0001.jpg", "Alice/Alice_0002.jpg", "Bob/Bob_0003.jpg", "Carol/Carol_0002.jpg",
            "Carol/Carol_0004.jpg", "Dan/Dan_0001.jpg", "Erin/Erin_0010.jpg"], pairs.Images());
    }

    [Fact]
    public void AcceptsSpacesCarriageReturnsAndTrailingEmptyLines() =>
        Assert.Equal(4, Parse(Valid.Replace('\t', ' ').Replace("\n", "\r\n") + "\n\n").Pairs.Count);

    [Theory]
    [InlineData("", "pairs.txt:1: empty file")]
    [InlineData("10\n", "pairs.txt:1: expected a header 'N M'")]
    [InlineData("0 300\n", "pairs.txt:1: expected a header 'N M'")]
    [InlineData("two 3\n", "pairs.txt:1: expected a header 'N M'")]
    [InlineData("1 1\nAlice\t1\tBob\t2\n", "pairs.txt:2: expected a same-person pair 'name n1 n2' (fold 1), got 4 fields")]
    [InlineData("1 1\nAlice\t1\t2\nAlice\t1\t2\n", "pairs.txt:3: expected a different-person pair 'name1 n1 name2 n2' (fold 1), got 3 fields")]
    [InlineData("1 1\nAlice\t1\tx\n", "pairs.txt:2: 'x' is not an image number")]
    [InlineData("1 1\nAlice\t0\t2\n", "pairs.txt:2: '0' is not an image number")]
    [InlineData("1 1\nAlice\t-1\t2\n", "pairs.txt:2: '-1' is not an image number")]
    [InlineData("1 1\nAlice\t1\t10000\n", "pairs.txt:2: '10000' is not an image number")]
    [InlineData("1 1\n../etc\t1\t2\n", "pairs.txt:2: '../etc' is not a person's name")]
    [InlineData("1 1\nAlice\t3\t3\n", "pairs.txt:2: same-person pair names image 3 of Alice twice")]
    [InlineData("1 1\nAlice\t1\t2\nBob\t1\tBob\t2\n", "pairs.txt:3: different-person pair names Bob twice")]
    [InlineData("1 1\nAlice\t1\t2\n\nBob\t1\tCarol\t2\n", "pairs.txt:3: empty line; expected pair 2 of 2")]
    [InlineData("2 1\nAlice\t1\t2\nAlice\t1\tBob\t3\n", "pairs.txt:3: the header promises 2 folds x 2 x 1 = 4 pairs, the file has 2")]
    [InlineData("1 1\nAlice\t1\t2\nAlice\t1\tBob\t3\nCarol\t1\t2\n", "pairs.txt:4: more pairs than the header's 1 folds x 2 x 1 = 2")]
    public void MalformedFilesAreOneLineErrorsWithTheLineNumber(string text, string expectedStart)
    {
        var message = ErrorOf(text);
        Assert.StartsWith(expectedStart, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void AHugeHeaderWithFewLinesIsACountMismatchNotAnAllocation() =>
        Assert.StartsWith("pairs.txt:2: the header promises 2000000000 folds x 2 x 2000000000", ErrorOf("2000000000 2000000000\nA\t1\t2\n"));

    [Fact]
    public void MissingFileNamesThePath()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mf-no-pairs-" + Guid.NewGuid().ToString("N") + ".txt");
        Assert.Equal($"{missing}: pairs file not found", Assert.Throws<MarginFaceException>(() => LfwPairs.Read(missing)).Message);
    }

    [Fact]
    public void CheckImagesNamesTheFirstMissingImageAndItsLine()
    {
        using var temp = new TempDirectory();
        var pairs = Parse(Valid);
        foreach (var image in pairs.Images())
        {
            var path = temp.Combine(image.Split('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [0]);
        }
        pairs.CheckImages(temp.Path);
        File.Delete(temp.Combine("Carol", "Carol_0004.jpg"));
        var message = Assert.Throws<MarginFaceException>(() => pairs.CheckImages(temp.Path)).Message;
        Assert.Equal($"{Path.Combine(temp.Path, "Carol/Carol_0004.jpg")}: image not found (named at pairs.txt:4)", message);
    }

    [SharedDataFact("data/lfw/pairs.txt", "data/lfw/lfw-deepfunneled")]
    public void TheOfficialPairsFileHasTenFoldsOf300SameAnd300DifferentPairs()
    {
        var pairs = LfwPairs.Read(SharedData.LfwPairsFile);
        Assert.Equal(10, pairs.Folds);
        Assert.Equal(300, pairs.PairsPerClass);
        Assert.Equal(6000, pairs.Pairs.Count);
        Assert.Equal(3000, pairs.Pairs.Count(p => p.Same));
        Assert.Equal(new LfwPair("Abel_Pacheco", 1, "Abel_Pacheco", 4, true, 0, 2), pairs.Pairs[0]);
        for (int k = 0; k < 10; k++)
            Assert.Equal(600, pairs.Pairs.Count(p => p.Fold == k));
        var foldsOfPerson = pairs.Pairs.SelectMany(p => new[] { (p.Name1, p.Fold), (p.Name2, p.Fold) }).Distinct().GroupBy(x => x.Item1);
        Assert.All(foldsOfPerson, g => Assert.Single(g));
        pairs.CheckImages(SharedData.LfwImagesDirectory);
    }
}
