using MarginFace.Evaluation;

namespace MarginFace.Tests.Evaluation;

[Trait("Category", "Integration")]
public class IdentificationProtocolTests
{
    private static ImageEmbedding At(string image, double degrees, float length = 1) =>
        new(image, [(float)(length * Math.Cos(degrees * Math.PI / 180)), (float)(length * Math.Sin(degrees * Math.PI / 180))]);

    private static readonly ImageEmbedding[] ThreeAtRightAngles = [At("A/1.jpg", 0, 2), At("B/1.jpg", 90, 5), At("C/1.jpg", 180)];

    [Fact]
    public void RanksFollowTheAnglesAndTheCmcAccumulatesThem()
    {
        // Probes of A at 10° (nearest A: rank 1), 80° (B at 10° is nearer than A at 80°: rank 2), 170° (C 10°, B 80°, A 170°: rank 3).
        var result = IdentificationProtocol.Evaluate(ThreeAtRightAngles, [At("A/2.jpg", 10), At("A/3.jpg", 80), At("A/4.jpg", 170)]);
        Assert.Equal([1.0 / 3, 2.0 / 3, 1.0], result.Cmc);
        Assert.Equal(1.0 / 3, result.Rank1);
        Assert.Equal(1.0, result.Rank5);
        Assert.Equal((3, 3, 3, 0), (result.GalleryIdentities, result.GalleryImages, result.KnownProbes, result.UnknownProbes));
        Assert.Null(result.UnknownRejectionRate);
    }

    [Fact]
    public void ATieWithAnotherIdentityCountsAgainstTheProbe()
    {
        // A probe of A at 45° is as close to B (90°) as to A (0°): rank 2.
        var result = IdentificationProtocol.Evaluate(ThreeAtRightAngles, [At("A/2.jpg", 45)]);
        Assert.Equal([0.0, 1.0, 1.0], result.Cmc);
    }

    [Fact]
    public void MeanTemplateAndNearestImageRankDifferently()
    {
        // A's gallery at 0° and 60° (mean direction 30°), B's at −90°. A probe of A at −40°: mean template cos 70° = 0.34 < B's cos 50° = 0.64
        // (rank 2); nearest image: A's 0° at cos 40° = 0.77 > 0.64 (rank 1).
        ImageEmbedding[] gallery = [At("A/1.jpg", 0), At("A/2.jpg", 60, 3), At("B/1.jpg", -90)];
        ImageEmbedding[] probes = [At("A/3.jpg", -40)];
        Assert.Equal(0.0, IdentificationProtocol.Evaluate(gallery, probes, GalleryTemplate.Mean).Rank1);
        Assert.Equal(1.0, IdentificationProtocol.Evaluate(gallery, probes, GalleryTemplate.Nearest).Rank1);
    }

    [Fact]
    public void UnknownPeopleAreRejectedWhenTheirBestSimilarityIsBelowTheThreshold()
    {
        // Unknown D at 45° (best cos 45° = 0.71 < 0.8: rejected), unknown E at 5° (cos 5° = 0.996 ≥ 0.8: accepted as A).
        // Known: A at 10° (cos 0.985, rank 1: accepted and right), B at 150° (C at 30°, cos 0.87, is nearer than B at 60°, cos 0.5: rank 2).
        var result = IdentificationProtocol.Evaluate(ThreeAtRightAngles,
            [At("D/1.jpg", 45), At("E/1.jpg", 5), At("A/2.jpg", 10), At("B/2.jpg", 150)], threshold: 0.8);
        Assert.Equal(2, result.UnknownProbes);
        Assert.Equal(2, result.KnownProbes);
        Assert.Equal(0.5, result.UnknownRejectionRate);
        Assert.Equal(0.5, result.KnownIdentificationRate);
        Assert.Equal(0.5, result.Rank1);
    }

    [Fact]
    public void SplitTakesTheFirstKImagesOfEachIdentityInNaturalOrder()
    {
        var records = new List<ImageEmbedding>();
        foreach (var n in new[] { 10, 2, 1, 3 }) records.Add(At($"orl/s1/{n}.pgm", n));
        records.Add(At("orl/s2/1.pgm", 0));
        var (gallery, probes) = IdentificationProtocol.Split(records, 2);
        Assert.Equal(["orl/s1/1.pgm", "orl/s1/2.pgm", "orl/s2/1.pgm"], gallery.Select(g => g.Image));
        Assert.Equal(["orl/s1/3.pgm", "orl/s1/10.pgm"], probes.Select(p => p.Image));
    }

    [Fact]
    public void IdentityIsTheParentFolder()
    {
        Assert.Equal("George_Bush", IdentificationProtocol.IdentityOf("/data/lfw/George_Bush/George_Bush_0001.jpg"));
        Assert.Equal("s7", IdentificationProtocol.IdentityOf("C:\\orl\\s7\\3.pgm"));
        Assert.Equal("image 3.pgm has no parent folder to name its identity",
            Assert.Throws<MarginFaceException>(() => IdentificationProtocol.IdentityOf("3.pgm")).Message);
    }

    [Fact]
    public void NoKnownProbeIsAnError() =>
        Assert.Equal("no probe belongs to an identity of the gallery: nothing to rank",
            Assert.Throws<MarginFaceException>(() => IdentificationProtocol.Evaluate(ThreeAtRightAngles, [At("D/1.jpg", 0)])).Message);

    [Fact]
    public void ManyIdentitiesWithNoiseKeepRankOneForCloseProbes()
    {
        // 100 identities at random unit directions in 64-D; probes = identity + small noise: every probe ranks its identity first.
        var random = new Random(2);
        float[] RandomVector(float scale) => Enumerable.Range(0, 64).Select(_ => (float)(scale * (random.NextDouble() * 2 - 1))).ToArray();
        var centres = Enumerable.Range(0, 100).Select(_ => RandomVector(1)).ToArray();
        var gallery = centres.Select((c, i) => new ImageEmbedding($"p{i}/1.jpg", c)).ToList();
        var probes = centres.Select((c, i) => new ImageEmbedding($"p{i}/2.jpg", c.Zip(RandomVector(0.05f), (a, b) => a + b).ToArray())).ToList();
        var result = IdentificationProtocol.Evaluate(gallery, probes);
        Assert.Equal(1.0, result.Rank1);
        Assert.Equal(100, result.Cmc.Count);
    }

    [SharedDataFact("data/orl_faces")]
    public void OrlSplitFiveGivesTheFirstFiveImagesOfEachOfFortyPeopleAsGallery()
    {
        // The ORL protocol: s1..s40, images 1..10.pgm; --split 5 puts 1..5 in the gallery and 6..10 among the probes.
        // Only the folders s1..s40: the shared copy keeps s2's 8.pgm apart in a folder s2_test, which would be a 41st identity.
        var images = Enumerable.Range(1, 40).SelectMany(s => Directory.GetFiles(Path.Combine(SharedData.OrlDirectory, $"s{s}"), "*.pgm")).ToArray();
        var random = new Random(9);
        var records = images.Select(path => new ImageEmbedding(path, [(float)random.NextDouble() + 0.1f, (float)random.NextDouble()])).ToList();
        var (gallery, probes) = IdentificationProtocol.Split(records, 5);
        Assert.Equal(200, gallery.Count);
        Assert.Equal(images.Length - 200, probes.Count);
        Assert.All(gallery, g => Assert.InRange(int.Parse(Path.GetFileNameWithoutExtension(g.Image)), 1, 5));
        Assert.All(probes, p => Assert.InRange(int.Parse(Path.GetFileNameWithoutExtension(p.Image)), 6, 10));
        Assert.Equal(40, gallery.Select(g => IdentificationProtocol.IdentityOf(g.Image)).Distinct().Count());
        var result = IdentificationProtocol.Evaluate(gallery, probes);
        Assert.Equal((40, images.Length - 200, 0), (result.GalleryIdentities, result.KnownProbes, result.UnknownProbes));
    }
}
