using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using MarginFace.Cli.Runtime;
using MarginFace.Tests.Interop;
using MarginFace.Tests.Support;
using Xunit.Abstractions;

namespace MarginFace.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: the tool installed with <c>dotnet tool install --tool-path</c> from a local folder runs,
/// finds or restores libtorch into its own cache (a temporary one here), fails in one line when it cannot, and leaves libtorch
/// alone for ONNX-only commands; a fresh console project that references the library package runs the README's C# example.
/// </summary>
[Trait("Category", "Integration")]
public partial class PackageInstallTests(PackedPackages packages, ITestOutputHelper output) : IClassFixture<PackedPackages>
{
    private const long NuGetLimit = 250L * 1024 * 1024;

    [Fact]
    public void BothPackagesCarryTheirMetadataAndTheToolStaysUnderNuGetsLimit()
    {
        var tool = Path.Combine(packages.Feed, $"MarginFace.Cli.{packages.Version}.nupkg");
        var library = Path.Combine(packages.Feed, $"MarginFace.{packages.Version}.nupkg");
        output.WriteLine($"tool {new FileInfo(tool).Length:N0} B, library {new FileInfo(library).Length:N0} B; {string.Join(", ", packages.Timing)}");
        Assert.True(new FileInfo(tool).Length < NuGetLimit, $"the tool package is {new FileInfo(tool).Length:N0} bytes");
        Assert.True(File.Exists(Path.Combine(packages.Feed, $"MarginFace.{packages.Version}.snupkg")));
        using (var zip = ZipFile.OpenRead(library))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var name in new[] { "README.md", "LICENSE", "THIRD-PARTY-NOTICES.md", "lib/net10.0/MarginFace.dll", "lib/net10.0/MarginFace.xml" })
                Assert.Contains(name, names);
            using var nuspec = new StreamReader(zip.GetEntry("MarginFace.nuspec")!.Open());
            var text = nuspec.ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", text);
            Assert.Contains("<repository type=\"git\"", text);
            Assert.Contains("id=\"TorchSharp-cpu\"", text);
        }
        using (var zip = ZipFile.OpenRead(tool))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("THIRD-PARTY-NOTICES.md", names);
            Assert.DoesNotContain(names, n => n.EndsWith("/libtorch_cpu.so", StringComparison.Ordinal) || n.EndsWith("/torch_cpu.dll", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TheInstalledToolShowsItsHelpAndLoadsLibTorchForACommandThatNeedsIt()
    {
        using var cache = new TempDirectory();
        var help = PackedPackages.Run(packages.Marginface, ["--help"], cache.Path);
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("verify", help.Stdout);

        // NuGet's global packages folder holds libtorch from the build's own restore: used in place, nothing copied.
        var clock = Stopwatch.StartNew();
        var info = PackedPackages.Run(packages.Marginface, ["info"], cache.Path, new Dictionary<string, string> { ["MARGINFACE_CACHE"] = cache.Path });
        output.WriteLine($"info: {clock.Elapsed.TotalSeconds:F1} s\n{info.Output}");
        Assert.True(info.ExitCode == 0, info.Output);
        Assert.Contains("sum of ones(2,2) on CPU = 4", info.Stdout);
        Assert.False(Directory.Exists(Path.Combine(cache.Path, "libtorch")), "libtorch was copied although NuGet's global packages folder has it");
    }

    [Fact]
    public void OnFirstUseTheToolRestoresLibTorchFromANuGetSourceIntoItsCache()
    {
        using var work = new TempDirectory();
        // A folder feed with the same .nupkg nuget.org serves (from the global packages folder), an empty global packages
        // folder, and only that feed configured: the whole restore path (NuGet's client, the content hash, extraction, the
        // rename into the cache) without the network.
        var cached = Path.Combine(PackedPackages.GlobalPackagesFolder, LibTorchPackage.Id, LibTorchPackage.Version, $"{LibTorchPackage.Id}.{LibTorchPackage.Version}.nupkg");
        Assert.True(File.Exists(cached), $"{cached} is missing (restore the solution first)");
        var feed = Directory.CreateDirectory(work.Combine("feed")).FullName;
        File.CreateSymbolicLink(Path.Combine(feed, Path.GetFileName(cached)), cached);
        WriteNuGetConfig(work.Path, feed);
        var environment = new Dictionary<string, string> { ["MARGINFACE_CACHE"] = work.Combine("cache"), ["NUGET_PACKAGES"] = work.Combine("nuget-packages") };

        var clock = Stopwatch.StartNew();
        var first = PackedPackages.Run(packages.Marginface, ["info"], work.Path, environment);
        output.WriteLine($"first use (restore from a folder feed): {clock.Elapsed.TotalSeconds:F1} s\n{first.Output}");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("libtorch restored in", first.Stderr);
        var installed = work.Combine("cache", "libtorch", $"{LibTorchPackage.Id}.{LibTorchPackage.Version}");
        Assert.True(File.Exists(Path.Combine(installed, "libtorch_cpu.so")));
        Assert.True(File.Exists(Path.Combine(installed, "LICENSE-LIBTORCH.txt")));
        Assert.Contains(installed, first.Stdout);
        Assert.Empty(Directory.GetDirectories(work.Combine("cache", "libtorch"), "*staging*"));

        var second = PackedPackages.Run(packages.Marginface, ["info"], work.Path, environment);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain("restor", second.Stderr);
    }

    [Fact]
    public void WithoutLibTorchOrAReachableSourceACommandThatNeedsItFailsInOneLineAndOnnxCommandsStillRun()
    {
        using var work = new TempDirectory();
        WriteNuGetConfig(work.Path, Directory.CreateDirectory(work.Combine("empty-feed")).FullName);
        var environment = new Dictionary<string, string> { ["MARGINFACE_CACHE"] = work.Combine("cache"), ["NUGET_PACKAGES"] = work.Combine("nuget-packages") };

        var info = PackedPackages.Run(packages.Marginface, ["info"], work.Path, environment);
        Assert.Equal(1, info.ExitCode);
        var error = Assert.Single(info.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith($"error: could not fetch {LibTorchPackage.Id} {LibTorchPackage.Version}", error);
        Assert.Contains("MARGINFACE_LIBTORCH=DIR", error);
        Assert.Empty(Directory.GetDirectories(work.Combine("cache", "libtorch")));

        var photo = SharedData.Data("lfw", "lfw-deepfunneled", "Aaron_Eckhart", "Aaron_Eckhart_0001.jpg");
        if (photo is null || !File.Exists(photo) || !Prerequisites.NpmOnPath)
        {
            Assert.False(Prerequisites.InCi, "CI needs LFW and npm for the ONNX-only half of this test");
            return;
        }
        // The default detector (face-api's, fetched with npm into the empty cache) runs without libtorch.
        var detect = PackedPackages.Run(packages.Marginface, ["detect", photo], work.Path, environment);
        Assert.True(detect.ExitCode == 0, detect.Output);
        Assert.Contains("1 face", detect.Stdout);
        Assert.DoesNotContain("libtorch", detect.Output);
    }

    [SharedDataFact(TestImages.AaronEckhart1)]
    public void AFreshConsoleProjectReferencingTheLibraryPackageRunsTheReadmeExample()
    {
        Assert.True(Prerequisites.NpmOnPath || !Prerequisites.InCi, "CI needs npm (the pretrained model)");
        if (!Prerequisites.NpmOnPath) return;
        var model = FaceApiTestModel.Cache.EnsureAvailable();
        using var work = new TempDirectory();
        var project = Directory.CreateDirectory(work.Combine("app")).FullName;
        var clock = Stopwatch.StartNew();
        Check(PackedPackages.Run("dotnet", ["new", "console", "--framework", "net10.0"], project));
        // The user's own sources plus the folder with the freshly packed library.
        File.WriteAllText(Path.Combine(project, "nuget.config"),
            $"""<?xml version="1.0" encoding="utf-8"?><configuration><packageSources><add key="packed" value="{packages.Feed}" /></packageSources></configuration>""");
        Check(PackedPackages.Run("dotnet", ["add", "package", "MarginFace", "--version", packages.Version], project));

        // The README's example, word for word but for the paths.
        var readme = File.ReadAllText(RepositoryFolder.Combine("README.md"));
        var example = CSharpBlock().Match(readme).Groups[1].Value;
        Assert.Contains("FaceModelLoader.Open(\"pretrained\")", example);
        var photo = SharedData.Data("lfw", "lfw-deepfunneled", "Aaron_Eckhart", "Aaron_Eckhart_0001.jpg")!;
        example = example.Replace("\"photo.jpg\"", Quote(photo)).Replace("\"people.db\"", Quote(work.Combine("people.db")));
        File.WriteAllText(Path.Combine(project, "Program.cs"), example);

        var run = PackedPackages.Run("dotnet", ["run", "-c", "Release"], project, new Dictionary<string, string>
        {
            ["MARGINFACE_CACHE"] = Path.GetDirectoryName(FaceApiTestModel.Cache.Directory)!,
        });
        output.WriteLine($"console project (new, add package, build, run): {clock.Elapsed.TotalSeconds:F1} s\n{run.Output}");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal("Ada 1.000", run.Stdout.Trim());
        Assert.NotNull(model);
    }

    private static void Check((int ExitCode, string Output, string Stdout, string Stderr) result) => Assert.True(result.ExitCode == 0, result.Output);

    private static string Quote(string path) => "\"" + path.Replace("\\", "\\\\") + "\"";

    /// <summary>A nuget.config in <paramref name="directory"/> whose only source is <paramref name="feed"/>.</summary>
    private static void WriteNuGetConfig(string directory, string feed) =>
        File.WriteAllText(Path.Combine(directory, "nuget.config"),
            $"""<?xml version="1.0" encoding="utf-8"?><configuration><packageSources><clear /><add key="feed" value="{feed}" /></packageSources></configuration>""");

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
