using MarginFace.Runtime;

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

    [Fact]
    public void OpenRejectsALibTorchDirectoryWithoutLibTorch()
    {
        var empty = Directory.CreateTempSubdirectory("mf-nolibtorch").FullName;
        try
        {
            // Only meaningful before libtorch is loaded in this process; afterwards switching directories is refused instead.
            var error = Assert.Throws<MarginFaceException>(() => ComputeDevice.Open("cpu", empty, 1));
            Assert.Contains(empty, error.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }
}
