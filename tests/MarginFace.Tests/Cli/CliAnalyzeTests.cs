using System.Text.Json;
using MarginFace.Pipeline;
using MarginFace.Runtime;
using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Cli;

/// <summary><c>marginface analyze</c>: YuNet finds the faces, face-api's networks (the test cache) estimate age, gender and expression.</summary>
[Trait("Category", "Integration")]
public class CliAnalyzeTests
{
    private static readonly Dictionary<string, string> Cache = new() { [CachePaths.CacheVariable] = FaceApiTestModel.CacheRoot };

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static (int ExitCode, string Stdout, string Stderr) Analyze(params string[] args) =>
        CliProcess.Run(["analyze", .. args, "--detector", TestImages.YuNetPath, "--onnx-threads", "1"], Cache);

    [FaceApiFact(false, false, TestImages.YuNetModel, TestImages.ColinPowell1)]
    public void JsonIsOneObjectPerFaceWithItsBoxAgeGenderAndSevenExpressions()
    {
        var photo = TestImages.LfwPath("Colin_Powell", 1);
        var (exitCode, stdout, stderr) = Analyze(photo, "--json");
        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(Assert.Single(Lines(stdout)));
        var root = json.RootElement;
        Assert.Equal(photo, root.GetProperty("image").GetString());
        var box = root.GetProperty("box");
        foreach (var name in new[] { "x", "y", "width", "height" }) Assert.InRange(box.GetProperty(name).GetDouble(), 0, 250);
        Assert.InRange(box.GetProperty("score").GetDouble(), 0.6, 1);
        Assert.InRange(root.GetProperty("age").GetDouble(), 30, 90);
        Assert.Equal("male", root.GetProperty("gender").GetString());
        Assert.InRange(root.GetProperty("genderProbability").GetDouble(), 0.5, 1);
        var expressions = root.GetProperty("expressions").EnumerateObject().ToList();
        Assert.Equal(FaceAnalysis.ExpressionNames, expressions.Select(e => e.Name));
        Assert.Equal(1, expressions.Sum(e => e.Value.GetDouble()), 2);
    }

    [FaceApiFact(false, false, TestImages.YuNetModel, TestImages.ColinPowell1)]
    public void TextIsOneLinePerFaceAndAFacelessImageMakesTheExitCodeTwo()
    {
        using var dir = new TempDirectory();
        var blank = dir.Combine("blank.png");
        FaceImageFile.SavePng(TestImages.Blank(320, 240), blank);
        var photo = TestImages.LfwPath("Colin_Powell", 1);
        var (exitCode, stdout, stderr) = Analyze(photo, blank);
        Assert.Equal(2, exitCode);
        var line = Assert.Single(Lines(stdout));
        Assert.StartsWith($"{photo}: box ", line);
        Assert.Matches(@"age \d+\.\d  (male|female) \(\d\.\d\d\)  (neutral|happy|sad|angry|fearful|disgusted|surprised) \(\d\.\d\d\)$", line);
        Assert.Contains($"{blank}: no face found", stderr);
    }

    [FaceApiFact(false, false, TestImages.YuNetModel)]
    public void ACorruptImageIsOneLineAndExitCodeOne()
    {
        using var dir = new TempDirectory();
        var corrupt = dir.Combine("corrupt.jpg");
        File.WriteAllBytes(corrupt, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        var (exitCode, stdout, stderr) = Analyze(corrupt, "--json");
        Assert.Equal(1, exitCode);
        Assert.Empty(Lines(stdout));
        Assert.Single(Lines(stderr), line => line.StartsWith("error: ", StringComparison.Ordinal) && line.Contains(corrupt, StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", stderr);
    }
}
