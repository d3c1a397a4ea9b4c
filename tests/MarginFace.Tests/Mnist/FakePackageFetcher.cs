using MarginFace.Runtime;

namespace MarginFace.Tests.Mnist;

/// <summary>Hands out a prepared tarball instead of running npm, and counts the calls.</summary>
public sealed class FakePackageFetcher(byte[] tarball) : IPackageFetcher
{
    public int Calls { get; private set; }

    public List<string> Specs { get; } = [];

    public string Pack(string packageSpec, string destinationDirectory)
    {
        Calls++;
        Specs.Add(packageSpec);
        var path = Path.Combine(destinationDirectory, "package-1.0.0.tgz");
        File.WriteAllBytes(path, tarball);
        return path;
    }
}
