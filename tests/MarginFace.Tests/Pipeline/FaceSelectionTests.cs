using MarginFace.Pipeline;

namespace MarginFace.Tests.Pipeline;

public class FaceSelectionTests
{
    private static DetectedFace Face(float x, float y, float size) => new(x, y, size, size, 0.9f, []);

    private static readonly DetectedFace Small = Face(10, 10, 40), Large = Face(200, 20, 100);

    [Fact]
    public void OnlyTakesASingleFaceAndRefusesSeveral()
    {
        Assert.Same(Small, FaceSelection.Only.Choose([Small]).Face);
        var (face, problem) = FaceSelection.Only.Choose([Small, Large]);
        Assert.Null(face);
        Assert.Equal("2 faces, and which one to use is not said", problem);
    }

    [Fact]
    public void LargestTakesTheLargestBox() => Assert.Same(Large, FaceSelection.Largest.Choose([Small, Large]).Face);

    [Fact]
    public void ABoxTakesTheFaceOverlappingItMostAndRefusesBelowAThirdIntersectionOverUnion()
    {
        // A loosely drawn box around the small face: IoU 40²/50² = 0.64.
        Assert.Same(Small, FaceSelection.Box(5, 5, 50, 50).Choose([Small, Large]).Face);
        // A box twice the small face's side: IoU 0.25, refused, with the best overlap named.
        var (face, problem) = FaceSelection.Box(10, 10, 80, 80).Choose([Small, Large]);
        Assert.Null(face);
        Assert.Equal("no face of 2 overlaps the box 10,10,80,80 by an intersection over union of 0.3 (best 0.25)", problem);
        Assert.Null(FaceSelection.Box(500, 500, 10, 10).Choose([Small]).Face);
    }

    [Theory]
    [InlineData(0, 0, 0, 10)]
    [InlineData(0, 0, 10, -1)]
    [InlineData(float.NaN, 0, 10, 10)]
    public void ABoxWithoutAreaOrWithANonFiniteValueIsRefused(float x, float y, float width, float height) =>
        Assert.Throws<MarginFaceException>(() => FaceSelection.Box(x, y, width, height));

    [Fact]
    public void TheSubjectIsTheLargestFaceOverThePhotosCentreElseTheLargest()
    {
        var centred = new DetectedFace(80, 80, 90, 90, 0.9f, []);
        var cutOffAtTheEdge = new DetectedFace(150, 0, 100, 140, 0.9f, []);
        var corner = new DetectedFace(0, 0, 60, 60, 0.9f, []);
        Assert.Same(centred, FaceSelection.Subject([cutOffAtTheEdge, centred, corner], 250, 250));
        Assert.Same(cutOffAtTheEdge, FaceSelection.Subject([cutOffAtTheEdge, corner], 250, 250));
        Assert.Null(FaceSelection.Subject([], 250, 250));
    }
}
