using System.Text.Json;
using System.Xml.Linq;
using MarginFace.Cli.Runtime;

namespace MarginFace.Tests.Packaging;

/// <summary>The tool's pinned libtorch is the one TorchSharp-cpu depends on, with the content hash NuGet recorded when it restored it.</summary>
public class LibTorchPackageTests
{
    [Fact]
    public void ThePinnedPackageIsTorchSharpCpusLibTorchWithNuGetsContentHash()
    {
        var torchSharpCpu = typeof(TorchSharp.torch).Assembly.GetName().Version!;
        var nuspec = Directory.GetFiles(Path.Combine(PackedPackages.GlobalPackagesFolder, "torchsharp-cpu", $"{torchSharpCpu.Major}.{torchSharpCpu.Minor}.{torchSharpCpu.Build}"), "*.nuspec").Single();
        var dependency = XDocument.Load(nuspec).Descendants().First(e => e.Name.LocalName == "dependency" && (string?)e.Attribute("id") == "libtorch-cpu");
        Assert.Equal(LibTorchPackage.Version, (string?)dependency.Attribute("version"));

        var metadata = Path.Combine(PackedPackages.GlobalPackagesFolder, LibTorchPackage.Id, LibTorchPackage.Version, ".nupkg.metadata");
        using var json = JsonDocument.Parse(File.ReadAllText(metadata));
        Assert.Equal(LibTorchPackage.ContentHash, json.RootElement.GetProperty("contentHash").GetString());
        Assert.NotNull(LibTorchPackage.InGlobalPackagesFolder());
    }
}
