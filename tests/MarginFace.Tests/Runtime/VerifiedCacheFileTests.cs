using System.Security.Cryptography;
using MarginFace.Runtime;

namespace MarginFace.Tests.Runtime;

/// <summary>The cached patched native library is loaded only while it matches the digest recorded when it was made.</summary>
public class VerifiedCacheFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mf-verified-cache").FullName;
    private readonly byte[] _made = [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))];
    private int _makes;

    private string Path => System.IO.Path.Combine(_directory, "native", "0123", "libLibTorchSharp.so");

    private byte[] Make()
    {
        _makes++;
        return _made;
    }

    [Fact]
    public void AMissingCopyIsMadeWithItsDigestAndThenTrusted()
    {
        Assert.True(VerifiedCacheFile.Ensure(Path, Make));
        Assert.Equal(_made, File.ReadAllBytes(Path));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_made)), File.ReadAllText(Path + VerifiedCacheFile.DigestSuffix).Trim());
        Assert.False(VerifiedCacheFile.Ensure(Path, Make));
        Assert.Equal(1, _makes);
    }

    [Fact]
    public void AnEmptiedCopyIsMadeAgain()
    {
        VerifiedCacheFile.Ensure(Path, Make);
        File.WriteAllBytes(Path, []);
        Assert.False(VerifiedCacheFile.IsIntact(Path));
        Assert.True(VerifiedCacheFile.Ensure(Path, Make));
        Assert.Equal(_made, File.ReadAllBytes(Path));
    }

    [Fact]
    public void APlantedCopyIsMadeAgain()
    {
        VerifiedCacheFile.Ensure(Path, Make);
        var planted = (byte[])_made.Clone();
        planted[100] ^= 0xFF;
        File.WriteAllBytes(Path, planted);
        Assert.True(VerifiedCacheFile.Ensure(Path, Make));
        Assert.Equal(_made, File.ReadAllBytes(Path));
    }

    [Fact]
    public void ACopyWithoutItsDigestIsMadeAgain()
    {
        // What an older version left: the copy alone, never checked.
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        File.WriteAllBytes(Path, [1, 2, 3]);
        Assert.True(VerifiedCacheFile.Ensure(Path, Make));
        Assert.Equal(_made, File.ReadAllBytes(Path));
        Assert.True(VerifiedCacheFile.IsIntact(Path));
    }

    [Fact]
    public void AnEditedDigestIsNotTrusted()
    {
        VerifiedCacheFile.Ensure(Path, Make);
        File.WriteAllText(Path + VerifiedCacheFile.DigestSuffix, new string('0', 64));
        Assert.True(VerifiedCacheFile.Ensure(Path, Make));
        Assert.Equal(2, _makes);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
