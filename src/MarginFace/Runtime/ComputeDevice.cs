using TorchSharp;

namespace MarginFace.Runtime;

/// <summary>Turns the <c>--device cpu|cuda|cuda:N|auto</c> setting into a TorchSharp device, with one-line errors.</summary>
public static class ComputeDevice
{
    /// <summary>
    /// Chooses the device without touching libtorch: <paramref name="cudaAvailable"/> is asked only when CUDA is possible.
    /// </summary>
    /// <param name="spec">cpu, cuda, cuda:N or auto (case-insensitive).</param>
    /// <param name="libTorchDirectory">The user's libtorch directory, if any; CUDA needs one (TorchSharp-cpu has no CUDA).</param>
    /// <param name="cudaAvailable">Whether the loaded libtorch sees a CUDA device.</param>
    public static string Choose(string spec, string? libTorchDirectory, Func<bool> cudaAvailable)
    {
        var normalized = (spec ?? "").Trim().ToLowerInvariant();
        if (normalized == "cpu") return "cpu";
        if (normalized == "auto")
            return libTorchDirectory is not null && cudaAvailable() ? "cuda" : "cpu";
        if (normalized == "cuda" || (normalized.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(normalized[5..], out var index) && index >= 0))
        {
            if (libTorchDirectory is null)
                throw new MarginFaceException($"--device {normalized} needs a CUDA-enabled libtorch: pass --libtorch DIR or set {TorchRuntime.LibTorchVariable}=DIR (e.g. a PyTorch install's torch/lib)");
            if (!cudaAvailable())
                throw new MarginFaceException($"--device {normalized}: the libtorch in {libTorchDirectory} reports no usable CUDA device (is it a CUDA build, and is the NVIDIA driver loaded?)");
            return normalized;
        }
        throw new MarginFaceException($"--device: expected cpu, cuda, cuda:N or auto, got '{spec}'");
    }

    /// <summary>
    /// Loads libtorch (from <paramref name="libTorchDirectory"/> or <see cref="TorchRuntime.LibTorchVariable"/>), resolves
    /// <paramref name="spec"/> and sets the intra-op thread count (all cores when <paramref name="threads"/> is null).
    /// </summary>
    public static torch.Device Open(string spec, string? libTorchDirectory, int? threads)
    {
        if (threads is <= 0) throw new MarginFaceException($"--threads: expected a positive number, got {threads}");
        var explicitDirectory = string.IsNullOrWhiteSpace(libTorchDirectory)
            ? Environment.GetEnvironmentVariable(TorchRuntime.LibTorchVariable)
            : libTorchDirectory;
        if (string.IsNullOrWhiteSpace(explicitDirectory)) explicitDirectory = null;
        // Spelling and "cuda needs a libtorch" are checked before anything heavy is loaded; availability after.
        Choose(spec, explicitDirectory, () => true);

        var info = TorchRuntime.Initialize(explicitDirectory);
        var chosen = Choose(spec, explicitDirectory, () => info.HasCudaLibraries && CudaAvailable());
        torch.set_num_threads(threads ?? Environment.ProcessorCount);
        return new torch.Device(chosen);
    }

    private static bool CudaAvailable()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CUDA);
            return torch.cuda.is_available();
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }
}
