using Xunit.Abstractions;
using MarginFace.Interop.FaceApi;
using MarginFace.Pipeline;

namespace MarginFace.Tests.Interop;

/// <summary>
/// MarginFace's ONNX port of face-api's 68-point landmark (and tiny), age/gender and expression networks against face-api's
/// own JavaScript (<c>Fixtures/faceapi_analysis.mjs</c>, tfjs cpu backend): raw outputs to 1e-4 on the same 112×112 input,
/// and the whole path (crop, pad, resize, network, postProcess) to 0.1 pixel for landmarks.
/// </summary>
[Trait("Category", "Integration")]
public class FaceApiAnalysisTests(ITestOutputHelper output)
{
    private const float RawTolerance = 1e-4f;
    private const float PixelTolerance = 0.1f;

    private static readonly Lazy<(FaceLandmarker Full, FaceLandmarker Tiny, FaceAnalyzer Analyzer)> Networks = new(() =>
        (new FaceLandmarker(tiny: false, threads: 2, cacheRoot: FaceApiTestModel.CacheRoot),
         new FaceLandmarker(tiny: true, threads: 2, cacheRoot: FaceApiTestModel.CacheRoot),
         new FaceAnalyzer(threads: 2, cacheRoot: FaceApiTestModel.CacheRoot)));

    [FaceApiFact]
    public void SyntheticInputsGiveFaceApisNumbers()
    {
        var cases = FaceApiAnalysisCases.Fixture().Where(c => c.Name.StartsWith("synthetic", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, cases.Count);
        foreach (var c in cases) Compare(c);
    }

    [FaceApiFact(needsLfw: true)]
    public void LfwFaceCropGivesFaceApisNumbers()
    {
        var real = Assert.Single(FaceApiAnalysisCases.Fixture(), c => c.Name == "real");
        Compare(real);
    }

    [NodeFaceApiFact]
    public void FaceApiRunNowByNodeAgrees()
    {
        using var directory = new TempDirectory();
        var lfw = FaceApiAnalysisCases.RealImagePath is { } path && File.Exists(path) ? FaceApiAnalysisCases.Image("real") : null;
        if (lfw is null) output.WriteLine("LFW is absent: the live run covers the synthetic cases only");
        var json = FaceApiAnalysisCases.RunScript(lfw, directory.Path);
        if (Environment.GetEnvironmentVariable("MARGINFACE_FACEAPI_FIXTURE") is { Length: > 0 } fixture) File.WriteAllText(fixture, json);
        var cases = FaceApiAnalysisCases.Parse(json);
        Assert.Equal(lfw is null ? 3 : 4, cases.Count);
        foreach (var c in cases) Compare(c);
    }

    private void Compare(FaceApiAnalysisCases.Case expected)
    {
        var (full, tiny, analyzer) = Networks.Value;
        var image = FaceApiAnalysisCases.Image(expected.Name);
        var box = expected.Box;
        var crop = FaceApiInput.Clip(image.Width, image.Height, box[0], box[1], box[2], box[3])!.Value;
        Assert.Equal(expected.Crop, new[] { crop.X, crop.Y, crop.Width, crop.Height });
        var input = new float[3 * 112 * 112];
        FaceApiInput.Fill(image, crop, input);

        foreach (var (name, landmarker) in new[] { ("landmark68", full), ("landmark68Tiny", tiny) })
        {
            var raw = landmarker.Run(input, 1);
            Within(expected, $"{name} raw", raw, expected.Floats(name, "raw"), RawTolerance);
            var points = landmarker.Locate(image, box[0], box[1], box[2], box[3]);
            Within(expected, $"{name} points (px)", [.. points.SelectMany(p => new[] { p.X, p.Y })], expected.Floats(name, "points"), PixelTolerance);
        }

        var (age, gender, expressions) = analyzer.Run(input, 1);
        Within(expected, "age", age, expected.Floats("age"), RawTolerance);
        Within(expected, "gender", gender, expected.Floats("gender"), RawTolerance);
        Within(expected, "expressions", expressions, expected.Floats("expressions"), RawTolerance);
        var analysis = analyzer.Analyze(image, box[0], box[1], box[2], box[3]);
        Assert.Equal(expected.Json.GetProperty("genderLabel").GetString(), analysis.Gender.ToString().ToLowerInvariant());
        Assert.Equal(expected.Floats("genderProbability")[0], analysis.GenderProbability, 1e-4f);
    }

    private void Within(FaceApiAnalysisCases.Case c, string what, float[] actual, float[] expected, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var largest = actual.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{c.Name} {what}: largest difference to face-api {largest:E2}");
        Assert.True(largest <= tolerance, $"{c.Name} {what}: largest difference {largest} > {tolerance}");
    }
}
