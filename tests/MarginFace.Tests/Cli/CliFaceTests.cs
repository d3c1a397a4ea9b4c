using System.Text.Json;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Cli;

[Trait("Category", "Integration")]
public class CliFaceTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string[] WithModel(params string[] args) => [.. args, "--detector", TestImages.YuNetPath, "--onnx-threads", "1"];

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1)]
    public void DetectJsonPrintsOneObjectPerImageWithBoxScoreAndFiveLandmarksAndDrawsThem()
    {
        using var dir = new TempDirectory();
        var photo = TestImages.LfwPath("Colin_Powell", 1);
        var drawn = dir.Combine("drawn.png");
        var (exitCode, stdout, stderr) = CliProcess.Run(WithModel("detect", photo, "--json", "--draw", drawn));
        Assert.True(exitCode == 0, stderr);
        var line = Assert.Single(Lines(stdout));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal(photo, root.GetProperty("image").GetString());
        Assert.Equal(250, root.GetProperty("width").GetInt32());
        Assert.Equal(250, root.GetProperty("height").GetInt32());
        var face = Assert.Single(root.GetProperty("faces").EnumerateArray());
        Assert.Equal(4, face.GetProperty("box").GetArrayLength());
        Assert.InRange(face.GetProperty("score").GetDouble(), 0.6, 1);
        var landmarks = face.GetProperty("landmarks").EnumerateArray().ToList();
        Assert.Equal(5, landmarks.Count);
        Assert.All(landmarks, p => Assert.Equal(2, p.GetArrayLength()));
        var image = ImageFile.Read(drawn);
        Assert.Equal((250, 250), (image.Width, image.Height));
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1, TestImages.SerenaWilliams1)]
    public void DetectNumbersTheFacesOfAGroupPhotoAsItsDrawingLabelsThem()
    {
        using var dir = new TempDirectory();
        var group = dir.Combine("group.png");
        FaceImageFile.SavePng(TestImages.Canvas(640, 400, 150,
            (TestImages.LfwPath("Colin_Powell", 1), 0.8f, 40, 100), (TestImages.LfwPath("Serena_Williams", 1), 1.6f, 340, 80)), group);
        var drawn = dir.Combine("drawn.png");
        var (exitCode, stdout, stderr) = CliProcess.Run(WithModel("detect", group, "--draw", drawn));
        Assert.True(exitCode == 0, stderr);
        var lines = Lines(stdout);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{group}: 2 faces", lines[0]);
        Assert.StartsWith("face 1  box ", lines[1]);
        Assert.StartsWith("face 2  box ", lines[2]);
        Assert.Equal((640, 400), (ImageFile.Read(drawn).Width, ImageFile.Read(drawn).Height));
    }

    [SharedDataFact(TestImages.YuNetModel)]
    public void DetectOnABlankImageExitsWithTwoAndAnEmptyFaceList()
    {
        using var dir = new TempDirectory();
        var blank = dir.Combine("blank.png");
        FaceImageFile.SavePng(TestImages.Blank(320, 240), blank);
        var (exitCode, stdout, _) = CliProcess.Run(WithModel("detect", blank, "--json"));
        Assert.Equal(2, exitCode);
        using var json = JsonDocument.Parse(Assert.Single(Lines(stdout)));
        Assert.Equal(0, json.RootElement.GetProperty("faces").GetArrayLength());
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1)]
    public void EveryBadImageIsOneLineNamingItAndTheExitCodeIsOne()
    {
        using var dir = new TempDirectory();
        var text = dir.Combine("notes.jpg");
        File.WriteAllText(text, "this is text, not a JPEG\n");
        var empty = dir.Combine("empty.jpg");
        File.WriteAllBytes(empty, []);
        var missing = dir.Combine("missing.png");
        var truncated = dir.Combine("truncated.jpg");
        var bytes = File.ReadAllBytes(TestImages.LfwPath("Colin_Powell", 1));
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var huge = dir.Combine("huge.pgm");
        File.WriteAllText(huge, "P5 20000 20000 255\n");
        string[] bad = [text, empty, missing, truncated, huge];
        var (exitCode, stdout, stderr) = CliProcess.Run(WithModel(["detect", .. bad, "--json"]));
        Assert.Equal(1, exitCode);
        Assert.Empty(stdout.Trim());
        var lines = Lines(stderr);
        Assert.Equal(bad.Length, lines.Length);
        for (int i = 0; i < bad.Length; i++)
            Assert.StartsWith($"error: {bad[i]}: ", lines[i]);
        Assert.Contains("20000×20000", lines[4]);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void AMissingModelIsOneLineNamingItAndExitsWithOne()
    {
        using var dir = new TempDirectory();
        var model = dir.Combine("no-such-yunet.onnx");
        var (exitCode, _, stderr) = CliProcess.Run(["detect", dir.Combine("a.jpg"), "--detector", model]);
        Assert.Equal(1, exitCode);
        Assert.Equal($"error: {model}: model file not found", Assert.Single(Lines(stderr)));
    }

    [SharedDataFact(TestImages.YuNetModel, TestImages.ColinPowell1, TestImages.SerenaWilliams1)]
    public void AlignWritesTheLargestFaceAndSaysSoWhenThereAreSeveralAndAllWritesEach()
    {
        using var dir = new TempDirectory();
        var group = dir.Combine("group.png");
        FaceImageFile.SavePng(TestImages.Canvas(640, 400, 150,
            (TestImages.LfwPath("Colin_Powell", 1), 0.8f, 40, 100), (TestImages.LfwPath("Serena_Williams", 1), 1.6f, 340, 80)), group);
        var single = dir.Combine("single");
        var (exitCode, stdout, stderr) = CliProcess.Run(WithModel("align", group, "--out", single, "--size", "96x112"));
        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"{group}: 2 faces, aligned the largest", Assert.Single(Lines(stderr)));
        var crop = ImageFile.Read(Path.Combine(single, "group.png"));
        Assert.Equal((96, 112), (crop.Width, crop.Height));
        Assert.Single(Lines(stdout));

        var every = dir.Combine("every");
        (exitCode, _, stderr) = CliProcess.Run(WithModel("align", group, "--out", every, "--all"));
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(["group_0.png", "group_1.png"], Directory.GetFiles(every).Select(f => Path.GetFileName(f)!).Order().ToArray());
        var second = ImageFile.Read(Path.Combine(every, "group_1.png"));
        Assert.Equal((112, 112), (second.Width, second.Height));
    }

    [SharedDataFact(TestImages.YuNetModel)]
    public void AlignWithNoFaceExitsWithTwoAndWritesNothing()
    {
        using var dir = new TempDirectory();
        var blank = dir.Combine("blank.png");
        FaceImageFile.SavePng(TestImages.Blank(200, 200), blank);
        var output = dir.Combine("out");
        var (exitCode, _, stderr) = CliProcess.Run(WithModel("align", blank, "--out", output));
        Assert.Equal(2, exitCode);
        Assert.Equal($"{blank}: no face found", Assert.Single(Lines(stderr)));
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any());
    }
}
