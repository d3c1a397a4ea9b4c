using TorchSharp;
using MarginFace.Runtime;

namespace MarginFace.Tests.Runtime;

public class TorchRuntimeTests : TorchTest
{
    [Fact]
    public void LibTorchComputesAfterInitialize()
    {
        using var x = torch.ones(2, 3, dtype: torch.float64);
        Assert.Equal(6.0, x.sum().item<double>());
        Assert.NotNull(TorchRuntime.Current);
    }

    [Fact]
    public void PatchedCopyIsUsedExactlyWhenTheSystemLacksAVersion()
    {
        var info = TorchRuntime.Current!;
        var systemLib = TorchRuntime.FindSystemLibStdCxx();
        Assert.NotNull(systemLib);
        var provided = ElfSymbolVersions.ReadDefinitions(File.ReadAllBytes(systemLib!));
        var expectPatch = !provided.Contains("GLIBCXX_3.4.32");
        Assert.Equal(expectPatch, info.LibStdCxx == LibStdCxxAction.LoadWeakenedCopy);
        Assert.Equal(expectPatch, info.PatchedCopy is not null);
    }

    [Fact]
    public void NnpackIsSwitchedOffOnceLibTorchIsLoaded()
    {
        var torchCpu = System.Runtime.InteropServices.NativeLibrary.Load(Path.Combine(TorchRuntime.Current!.LibTorchDirectory, "libtorch_cpu.so"));
        Assert.False(NnpackSwitch.Enabled(torchCpu));
    }
}
