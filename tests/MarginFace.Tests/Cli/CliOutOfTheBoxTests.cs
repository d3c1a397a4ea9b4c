using System.Text.Json;
using MarginFace.Galleries;
using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;
using MarginFace.Pipeline;
using MarginFace.Tests.Interop;

namespace MarginFace.Tests.Cli;

/// <summary>
/// The face commands out of the box: the pretrained model by default, a gallery that remembers its model, every face of a
/// group photo answered, and the face-api model read from a models folder (<c>--models DIR</c>) on a machine without npm.
/// </summary>
[Trait("Category", "Integration")]
public class CliOutOfTheBoxTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Standard error without the model's progress lines (using it from the cache, fetching it).</summary>
    private static string[] Messages(string stderr) =>
        [.. Lines(stderr).Where(l => !l.StartsWith("Using verified", StringComparison.Ordinal) && !l.StartsWith("Fetching ", StringComparison.Ordinal))];

    private static string[] WithDetector(params string[] args) => [.. args, "--detector", TestImages.YuNetPath, "--onnx-threads", "1"];

    /// <summary>The CLI's cache root set to the test cache, filled first, so that "pretrained" resolves there.</summary>
    private static Dictionary<string, string> CacheEnvironment()
    {
        FaceApiTestModel.Cache.EnsureAvailable();
        return new() { ["MARGINFACE_CACHE"] = Path.GetDirectoryName(FaceApiTestModel.Cache.Directory)! };
    }

    /// <summary>An empty cache and a PATH that has dotnet but no npm: a machine that cannot fetch the model.</summary>
    private static Dictionary<string, string> OfflineEnvironment(TempDirectory dir)
    {
        var bin = Directory.CreateDirectory(dir.Combine("bin")).FullName;
        var dotnet = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, "dotnet")).First(File.Exists);
        File.CreateSymbolicLink(Path.Combine(bin, "dotnet"), dotnet);
        return new() { ["MARGINFACE_CACHE"] = dir.Combine("empty-cache"), ["PATH"] = bin };
    }

    /// <summary>Colin at 0.8 scale on the left, Serena at 1.6 on the right (the larger face) of one 640×400 photo.</summary>
    private static string GroupPhoto(TempDirectory dir)
    {
        var path = dir.Combine("group.png");
        FaceImageFile.SavePng(TestImages.Canvas(640, 400, 150,
            (TestImages.LfwPath("Colin_Powell", 1), 0.8f, 40, 100), (TestImages.LfwPath("Serena_Williams", 1), 1.6f, 340, 80)), path);
        return path;
    }

    [FaceApiFact(needsLfw: true)]
    public void IdentifyWithoutModelAnswersForEveryFaceOfAGroupPhotoWithItsBoxAndCandidates()
    {
        using var dir = new TempDirectory();
        var environment = CacheEnvironment();
        var db = dir.Combine("people.db");
        var group = GroupPhoto(dir);
        foreach (var (name, photo) in new[] { ("Colin", TestImages.LfwPath("Colin_Powell", 2)), ("Serena", TestImages.LfwPath("Serena_Williams", 2)) })
        {
            var enrol = CliProcess.Run(WithDetector("enroll", photo, "--gallery", db, "--name", name), environment);
            Assert.True(enrol.ExitCode == 0, enrol.Stderr);
        }
        using (var gallery = FaceGallery.Open(db))
            Assert.Equal("pretrained", gallery.ModelReference!.Path);

        var drawn = dir.Combine("drawn.png");
        var (exitCode, stdout, stderr) = CliProcess.Run(WithDetector("identify", group, "--gallery", db, "--json", "--top", "2", "--draw", drawn), environment);
        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(Assert.Single(Lines(stdout)));
        Assert.Equal(group, json.RootElement.GetProperty("image").GetString());
        var faces = json.RootElement.GetProperty("faces").EnumerateArray().ToList();
        Assert.Equal(2, faces.Count);
        foreach (var face in faces)
        {
            var box = face.GetProperty("box");
            var centre = box.GetProperty("x").GetDouble() + box.GetProperty("width").GetDouble() / 2;
            Assert.InRange(box.GetProperty("score").GetDouble(), 0.6, 1);
            Assert.True(box.GetProperty("height").GetDouble() > 50);
            var candidates = face.GetProperty("candidates").EnumerateArray().ToList();
            Assert.Equal(2, candidates.Count);
            Assert.Equal(centre < 320 ? "Colin" : "Serena", candidates[0].GetProperty("name").GetString());
            Assert.True(candidates[0].GetProperty("similarity").GetDouble() > candidates[1].GetProperty("similarity").GetDouble());
        }
        Assert.Equal((640, 400), (ImageFile.Read(drawn).Width, ImageFile.Read(drawn).Height));

        // Text: one block per face, its best candidate on its line.
        (exitCode, stdout, stderr) = CliProcess.Run(WithDetector("identify", group, "--gallery", db, "--top", "1"), environment);
        Assert.True(exitCode == 0, stderr);
        var lines = Lines(stdout);
        Assert.Equal($"{group}: 2 faces", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("face 1 at ", lines[1]);
        Assert.StartsWith("face 2 at ", lines[3]);
        Assert.Equal(["Colin", "Serena"], new[] { lines[1], lines[3] }.Select(l => l[(l.LastIndexOf(": ", StringComparison.Ordinal) + 2)..]).Order());

        // Nobody above the threshold for any face: exit 3, the faces still listed.
        (exitCode, stdout, _) = CliProcess.Run(WithDetector("identify", group, "--gallery", db, "--json", "--threshold", "1.01"), environment);
        Assert.Equal(3, exitCode);
        using var none = JsonDocument.Parse(stdout.Trim());
        Assert.All(none.RootElement.GetProperty("faces").EnumerateArray(), f => Assert.Equal(0, f.GetProperty("candidates").GetArrayLength()));
    }

    [FaceApiFact(needsLfw: true)]
    public void VerifyAndEvalLfwUseThePretrainedModelWithoutModel()
    {
        using var dir = new TempDirectory();
        var environment = CacheEnvironment();
        var root = LfwFaces.Root!;
        var verify = CliProcess.Run(WithDetector("verify", "--align", "--json",
            LfwFaces.ImagePath(root, "Abel_Pacheco", 1), LfwFaces.ImagePath(root, "Abel_Pacheco", 4)), environment);
        Assert.True(verify.ExitCode == 0, verify.Stderr);
        Assert.Equal(PretrainedFaceModel.LfwThreshold, JsonDocument.Parse(verify.Stdout).RootElement.GetProperty("threshold").GetDouble());

        // Two folds of one same and one different pair: --images alone embeds with the pretrained model.
        var pairs = dir.Combine("pairs.txt");
        File.WriteAllText(pairs, "2\t1\nAbel_Pacheco\t1\t4\nAbdel_Madi_Shabneh\t1\tDean_Barker\t1\nAkhmed_Zakayev\t1\t3\nAbdel_Madi_Shabneh\t1\tGiancarlo_Fisichella\t1\n");
        var (exitCode, stdout, stderr) = CliProcess.Run(["eval", "lfw", "--pairs", pairs, "--images", Path.Combine(root, "lfw-deepfunneled")], environment);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("scores: pretrained (faceapi-resnet, model c0df66c4a0e07f13", stdout);
    }

    [FaceApiFact(needsLfw: true)]
    public void EnrolRefusesAGroupPhotoInOneLineNamingItAndTheCountUnlessFaceSaysWhich()
    {
        using var dir = new TempDirectory();
        var environment = CacheEnvironment();
        var db = dir.Combine("people.db");
        var group = GroupPhoto(dir);
        var (exitCode, _, stderr) = CliProcess.Run(WithDetector("enroll", group, "--gallery", db, "--name", "Serena"), environment);
        Assert.Equal(1, exitCode);
        Assert.Equal([$"error: {group}: 2 faces, and which one to use is not said: choose one with --face largest or --face X,Y,W,H", "nothing enrolled: 1 of 1 images unusable"],
            Messages(stderr));
        Assert.False(File.Exists(db));
        (exitCode, _, stderr) = CliProcess.Run(WithDetector("enroll", group, "--gallery", db, "--name", "Serena", "--face", "largest"), environment);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal($"{group}: 2 faces, used the largest", Assert.Single(Messages(stderr)));
    }

    [FaceApiFact(needsLfw: true)]
    public void WithoutNpmThePretrainedModelIsReadFromTheModelsFolderAndItsAbsenceIsOneLineSayingHowToProvideIt()
    {
        using var dir = new TempDirectory();
        var offline = OfflineEnvironment(dir);
        var photo = TestImages.LfwPath("Colin_Powell", 1);

        var (exitCode, stdout, stderr) = CliProcess.Run(WithDetector("embed", photo, "--align", "--json"), offline);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith($"error: could not fetch {FaceApiModelCache.Spec} (npm: not found on PATH); ", line);
        Assert.Contains($"copy {Path.Combine(offline["MARGINFACE_CACHE"], "face-api")} from a machine where `marginface models fetch` filled it", line);
        Assert.Contains("pass --models DIR (or set MARGINFACE_MODELS) naming a folder holding them", line);
        Assert.False(Directory.Exists(Path.Combine(offline["MARGINFACE_CACHE"], "face-api")));

        // A copy of the package's model files (here: the test cache's folder) given with --models.
        var models = dir.Combine("models");
        Directory.CreateDirectory(models);
        FaceApiTestModel.Cache.EnsureAvailable();
        foreach (var name in new[] { FaceApiModelCache.ManifestFile, FaceApiModelCache.WeightsFile })
            File.Copy(Path.Combine(FaceApiTestModel.Cache.Directory, name), Path.Combine(models, name));
        (exitCode, stdout, stderr) = CliProcess.Run(WithDetector("embed", photo, "--align", "--json", "--models", models), offline);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(128, JsonDocument.Parse(stdout).RootElement.GetProperty("embedding").GetArrayLength());

        // A damaged copy is refused, never loaded.
        var weights = Path.Combine(models, FaceApiModelCache.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        bytes[1000] ^= 1;
        File.WriteAllBytes(weights, bytes);
        (exitCode, stdout, stderr) = CliProcess.Run(WithDetector("embed", photo, "--align", "--json", "--models", models), offline);
        Assert.Equal(1, exitCode);
        Assert.Empty(stdout.Trim());
        line = Assert.Single(Messages(stderr));
        Assert.StartsWith($"error: {weights}: has SHA-256 ", line);

        (exitCode, _, stderr) = CliProcess.Run(["embed", photo, "--models", dir.Combine("no-such-folder")], offline);
        Assert.Equal(1, exitCode);
        Assert.Equal($"error: --models: {dir.Combine("no-such-folder")} is not a folder", stderr.Trim());
    }

    [FaceApiFact(needsLfw: true)]
    public void DetectWithTheDefaultDetectorGivesFivePointsAndTheSixtyEightTheyCameFrom()
    {
        var photo = TestImages.LfwPath("Colin_Powell", 1);
        var (exitCode, stdout, stderr) = CliProcess.Run(["detect", "--json", "--onnx-threads", "1", photo], CacheEnvironment());
        Assert.True(exitCode == 0, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(Assert.Single(Lines(stdout)));
        var face = Assert.Single(json.RootElement.GetProperty("faces").EnumerateArray());
        var five = face.GetProperty("landmarks").EnumerateArray().Select(p => (X: p[0].GetDouble(), Y: p[1].GetDouble())).ToList();
        var all = face.GetProperty("landmarks68").EnumerateArray().Select(p => (X: p[0].GetDouble(), Y: p[1].GetDouble())).ToList();
        Assert.Equal(68, all.Count);
        // The image-left eye is the mean of points 36–41; the mouth corners are points 48 and 54 (rounded to 0.01 in the JSON).
        Assert.Equal(all.Skip(36).Take(6).Average(p => p.X), five[0].X, 1);
        Assert.Equal(all[48].X, five[3].X, 1);
        Assert.Equal(all[54].Y, five[4].Y, 1);
    }
}
