using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

[Trait("Category", "Integration")]
public class UnseenPeopleTests
{
    private static LfwPairs Pairs => LfwPairs.Parse(new StringReader(LfwProtocolTests.DisjointPairs), "pairs.txt");

    private static void Touch(string root, string relative)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }

    [Fact]
    public void PeopleWithTwoOrMoreImagesNamedByNoPairGiveAllTheirSamePairsEachPersonWeighingOne()
    {
        using var work = new TempDirectory();
        foreach (var image in new[] { "person_0/person_0_0001.jpg", "person_0/person_0_0002.jpg", "Zed/Zed_0004.jpg", "Zed/Zed_0001.jpg",
                     "Zed/Zed_0002.jpg", "Zed/notes.txt", "Zed/Amy_0003.jpg", "Amy/Amy_0002.jpg", "Amy/Amy_0001.jpg", "Solo/Solo_0001.jpg" })
            Touch(work.Path, image);

        var unseen = UnseenPeople.Find(Pairs, work.Path);

        Assert.Equal(["Amy", "Zed"], unseen.People);
        Assert.Equal(["Amy 1 2", "Zed 1 2", "Zed 1 4", "Zed 2 4"], unseen.Pairs.Select(p => $"{p.Name1} {p.Number1} {p.Number2}"));
        Assert.All(unseen.Pairs, p => Assert.True(p.Same && p.Name1 == p.Name2 && p.Fold == -1));
        Assert.Equal([1, 1.0 / 3, 1.0 / 3, 1.0 / 3], unseen.Weights);
        Assert.Equal("Zed/Zed_0004.jpg", unseen.Pairs[^1].Image2);
    }

    [SharedDataFact("data/lfw/lfw-deepfunneled")]
    public void LfwHas52UnseenPeopleWith133ImagesAnd140SamePairs()
    {
        var unseen = UnseenPeople.Find(LfwPairs.Read(SharedData.LfwPairsFile), SharedData.LfwImagesDirectory);

        Assert.Equal(52, unseen.People.Count);
        Assert.Equal(140, unseen.Pairs.Count);
        Assert.Equal(133, unseen.Pairs.SelectMany(p => new[] { p.Image1, p.Image2 }).Distinct().Count());
        Assert.Equal(52, unseen.Weights.Sum(), 9);
        Assert.All(unseen.Pairs, p => Assert.True(File.Exists(Path.Combine(SharedData.LfwImagesDirectory, p.Image2))));
    }

    [Fact]
    public void NoUnseenPersonWithTwoImagesIsOneLine()
    {
        using var work = new TempDirectory();
        Touch(work.Path, "person_0/person_0_0001.jpg");
        Touch(work.Path, "person_0/person_0_0002.jpg");
        Touch(work.Path, "Solo/Solo_0001.jpg");

        var error = Assert.Throws<MarginFaceException>(() => UnseenPeople.Find(Pairs, work.Path));

        Assert.Equal($"{work.Path}: no person with two or more images outside pairs.txt; a threshold from unseen people needs some", error.Message);
        Assert.EndsWith("images directory not found", Assert.Throws<MarginFaceException>(() => UnseenPeople.Find(Pairs, work.Combine("none"))).Message);
    }
}
