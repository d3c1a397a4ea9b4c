using MarginFace.Runtime;

namespace MarginFace.Tests.Runtime;

public class ElfSymbolVersionsTests
{
    private static string GlueLibrary()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"TorchSharp's glue library is expected at {path}");
        return path;
    }

    [Fact]
    public void ReadsTheLibStdCxxVersionNeedsOfTorchSharpsGlueLibrary()
    {
        var needs = ElfSymbolVersions.ReadNeeds(File.ReadAllBytes(GlueLibrary()));
        var need = Assert.Single(needs, n => n.Name == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.IsWeak);
        Assert.Contains(needs, n => n.File == "libc.so.6" && n.Name.StartsWith("GLIBC_2.", StringComparison.Ordinal));
    }

    [Fact]
    public void MarkWeakChangesOnlyTheNamedNeedsFlags()
    {
        var original = File.ReadAllBytes(GlueLibrary());
        var patched = ElfSymbolVersions.MarkWeak(original, new HashSet<string> { "GLIBCXX_3.4.32" });

        Assert.Equal(original.Length, patched.Length);
        var before = ElfSymbolVersions.ReadNeeds(original);
        var after = ElfSymbolVersions.ReadNeeds(patched);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i].Name, after[i].Name);
            Assert.Equal(before[i].Name == "GLIBCXX_3.4.32", after[i].IsWeak && !before[i].IsWeak);
        }
        var differing = Enumerable.Range(0, original.Length).Count(i => original[i] != patched[i]);
        Assert.Equal(1, differing);
    }

    [Fact]
    public void ReadsTheVersionsTheSystemLibStdCxxDefines()
    {
        var path = TorchRuntime.FindSystemLibStdCxx();
        Assert.NotNull(path);
        var defined = ElfSymbolVersions.ReadDefinitions(File.ReadAllBytes(path!));
        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("CXXABI_1.3", defined);
    }

    [Fact]
    public void RejectsAFileThatIsNotElf()
    {
        Assert.Throws<InvalidDataException>(() => ElfSymbolVersions.ReadNeeds("not an elf file at all, just some text"u8.ToArray()));
    }
}
