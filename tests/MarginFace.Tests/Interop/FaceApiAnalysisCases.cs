using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using MarginFace.Imaging;
using MarginFace.Interop.FaceApi;
using MarginFace.Runtime;

namespace MarginFace.Tests.Interop;

/// <summary>
/// The inputs of <c>Fixtures/faceapi_analysis.mjs</c> rebuilt in C# (the same synthetic images; the LFW photo decoded by
/// MarginFace), and a runner for that script: face-api unpacked once into the test cache with npm, run by Node.js.
/// </summary>
internal static class FaceApiAnalysisCases
{
    public const string FixtureName = "faceapi_analysis.json";
    public const string ScriptName = "faceapi_analysis.mjs";

    /// <summary>The LFW photo of the <c>real</c> case (relative to the deep-funneled folder) and its face box.</summary>
    public static readonly (string Relative, float X, float Y, float Width, float Height) Real =
        (Path.Combine("Aaron_Peirsol", "Aaron_Peirsol_0001.jpg"), 68.5f, 62.3f, 113.4f, 131.7f);

    public static string? RealImagePath => SharedData.Data("lfw", "lfw-deepfunneled", Real.Relative);

    /// <summary>One case of the script's output.</summary>
    public sealed record Case(string Name, float[] Box, int[] Crop, JsonElement Json)
    {
        public float[] Floats(params string[] path)
        {
            var element = Json;
            foreach (var part in path) element = element.GetProperty(part);
            return element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().Select(v => v.GetSingle()).ToArray() : [element.GetSingle()];
        }
    }

    public static IReadOnlyList<Case> Parse(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("name").GetString()!,
            c.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
            c.GetProperty("crop").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
            c)).ToList();

    public static IReadOnlyList<Case> Fixture() => Parse(File.ReadAllText(PyTorchFixtures.PathOf(FixtureName)));

    /// <summary>The image a case was computed on (the synthetic formulas of the script; the LFW photo for <c>real</c>).</summary>
    public static RgbImage Image(string caseName) => caseName switch
    {
        "synthetic112" => Synthetic(112, 112, (y, x, c) => (y * 7 + x * 13 + c * 50) % 256),
        _ when caseName.StartsWith("synthetic-", StringComparison.Ordinal) => Synthetic(160, 120, (y, x, c) => (3 * y + 5 * x + 40 * c + x * y) % 256),
        "real" => ImageFile.Read(RealImagePath ?? throw new InvalidOperationException("no shared data")).ToRgb(),
        _ => throw new ArgumentException($"unknown case {caseName}"),
    };

    private static RgbImage Synthetic(int width, int height, Func<int, int, int, int> pixel)
    {
        var pixels = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < 3; c++)
                    pixels[(y * width + x) * 3 + c] = (byte)pixel(y, x, c);
        return new RgbImage(width, height, 3, pixels);
    }

    /// <summary>True when <c>node</c> is on the PATH.</summary>
    public static bool NodeOnPath =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(directory => File.Exists(Path.Combine(directory, "node")));

    /// <summary>face-api's unpacked npm package (<c>package/</c>), packed once with npm into the test cache.</summary>
    public static string PackageDirectory()
    {
        var root = Path.Combine(Path.GetTempPath(), "marginface-tests", "faceapi-package");
        var package = Path.Combine(root, "package");
        if (File.Exists(Path.Combine(package, "dist", "face-api.esm.js")) && Directory.Exists(Path.Combine(package, "model"))) return package;
        var staging = Path.Combine(Path.GetTempPath(), "marginface-tests", $"faceapi-package-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        var tarball = new NpmPackageFetcher().Pack(FaceApiModelCache.Spec, staging);
        using (var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
            TarFile.ExtractToDirectory(gzip, staging, overwriteFiles: true);
        File.Delete(tarball);
        try
        {
            Directory.Move(staging, root);
        }
        catch (IOException) when (File.Exists(Path.Combine(package, "dist", "face-api.esm.js")))
        {
            Directory.Delete(staging, recursive: true);
        }
        return package;
    }

    /// <summary>Runs the script on face-api's package with the LFW photo written as PPM (when given); its JSON output.</summary>
    public static string RunScript(RgbImage? real, string workDirectory)
    {
        var arguments = new List<string> { PyTorchFixtures.PathOf(ScriptName), PackageDirectory() };
        if (real is not null)
        {
            var ppm = Path.Combine(workDirectory, "real.ppm");
            WritePpm(real, ppm);
            arguments.AddRange([ppm, .. new[] { Real.X, Real.Y, Real.Width, Real.Height }.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))]);
        }
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        if (process.ExitCode != 0) throw new InvalidOperationException($"node {ScriptName} failed ({process.ExitCode}): {stderr.Result}");
        return stdout;
    }

    /// <summary>A binary 8-bit PPM (P6) of an RGB image.</summary>
    public static void WritePpm(RgbImage image, string path)
    {
        using var stream = File.Create(path);
        stream.Write(Encoding.ASCII.GetBytes($"P6\n{image.Width} {image.Height}\n255\n"));
        stream.Write(image.ToRgb().Pixels);
    }
}
