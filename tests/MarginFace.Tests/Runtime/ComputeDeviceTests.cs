using MarginFace.Runtime;
using MarginFace.Tests.Cli;

namespace MarginFace.Tests.Runtime;

public class ComputeDeviceTests
{
    private static bool Unreachable() => throw new InvalidOperationException("CUDA must not be probed here");

    [Fact]
    public void CpuNeverProbesCuda() => Assert.Equal("cpu", ComputeDevice.Choose("CPU", "/some/libtorch", Unreachable));

    [Fact]
    public void AutoWithoutALibTorchFallsBackToCpuWithoutProbing() => Assert.Equal("cpu", ComputeDevice.Choose("auto", null, Unreachable));

    [Fact]
    public void AutoPicksCudaWhenTheUsersLibTorchSeesAGpu() => Assert.Equal("cuda", ComputeDevice.Choose("auto", "/torch/lib", () => true));

    [Fact]
    public void AutoPicksCpuWhenTheUsersLibTorchSeesNoGpu() => Assert.Equal("cpu", ComputeDevice.Choose("auto", "/torch/lib", () => false));

    [Fact]
    public void CudaWithoutALibTorchSaysHowToProvideOne()
    {
        var error = Assert.Throws<MarginFaceException>(() => ComputeDevice.Choose("cuda", null, Unreachable));
        Assert.Contains("--libtorch", error.Message);
        Assert.Contains(TorchRuntime.LibTorchVariable, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void CudaWhenTheLibTorchSeesNoGpuNamesTheDirectory()
    {
        var error = Assert.Throws<MarginFaceException>(() => ComputeDevice.Choose("cuda:1", "/opt/torch/lib", () => false));
        Assert.Contains("/opt/torch/lib", error.Message);
    }

    [Fact]
    public void CudaWithAnIndexIsKept() => Assert.Equal("cuda:1", ComputeDevice.Choose("cuda:1", "/torch/lib", () => true));

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void UnknownDevicesAreRejectedWithTheValue(string spec)
    {
        var error = Assert.Throws<MarginFaceException>(() => ComputeDevice.Choose(spec, null, Unreachable));
        Assert.Contains("--device", error.Message);
        Assert.Contains($"'{spec}'", error.Message);
    }

    [Fact]
    public void OpenRejectsCudaWithoutLibTorchBeforeLoadingAnything()
    {
        var previous = Environment.GetEnvironmentVariable(TorchRuntime.LibTorchVariable);
        Assert.True(string.IsNullOrEmpty(previous), "test expects MARGINFACE_LIBTORCH unset");
        var error = Assert.Throws<MarginFaceException>(() => ComputeDevice.Open("cuda", null, 1));
        Assert.Contains("--libtorch", error.Message);
    }

    [Fact]
    public void OpenRejectsANonPositiveThreadCount()
    {
        var error = Assert.Throws<MarginFaceException>(() => ComputeDevice.Open("cpu", null, 0));
        Assert.Contains("--threads", error.Message);
    }

    /// <summary>
    /// In a fresh process: in the test process libtorch is loaded as soon as any other test loaded it, and then the answer is
    /// "already loaded, cannot switch", which names the directory too; only a fresh process reaches the check named here.
    /// </summary>
    [Fact]
    public void OpenRejectsALibTorchDirectoryWithoutLibTorch()
    {
        using var empty = new TempDirectory();
        var (exitCode, _, stderr) = CliProcess.Run(["info", "--libtorch", empty.Path]);
        Assert.Equal(1, exitCode);
        Assert.Equal($"error: --libtorch {empty.Path}: no libtorch_cpu.so there (expected a libtorch 'lib' directory, e.g. a PyTorch install's torch/lib)", stderr.Trim());
    }

    [Fact]
    public void OnceLibTorchIsLoadedSwitchingToAnotherDirectoryIsRefused()
    {
        TorchRuntime.Initialize();
        using var empty = new TempDirectory();
        var error = Assert.Throws<MarginFaceException>(() => ComputeDevice.Open("cpu", empty.Path, 1));
        Assert.Equal($"libtorch is already loaded from {TorchRuntime.Current!.LibTorchDirectory}; cannot switch to {empty.Path} in the same process", error.Message);
    }
}
