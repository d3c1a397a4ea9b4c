using TorchSharp;

namespace MarginFace.Runtime;

/// <summary>Turns the <c>--device cpu|cuda|cuda:N|auto</c> setting into a TorchSharp device, with one-line errors.</summary>
internal static class ComputeDevice
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
        throw new MarginFaceException(normalized.Contains(',')
            ? $"--device: a list of devices ('{spec}') is for train only; give one of cpu, cuda, cuda:N or auto"
            : $"--device: expected cpu, cuda, cuda:N or auto, got '{spec}'");
    }

    /// <summary>
    /// Loads libtorch (from <paramref name="libTorchDirectory"/> or <see cref="TorchRuntime.LibTorchVariable"/>), resolves
    /// <paramref name="spec"/> and sets the intra-op thread count (all cores when <paramref name="threads"/> is null).
    /// </summary>
    public static torch.Device Open(string spec, string? libTorchDirectory, int? threads)
    {
        if (threads is <= 0) throw new MarginFaceException($"--threads: expected a positive number, got {threads}");
        var explicitDirectory = ExplicitDirectory(libTorchDirectory);
        // Spelling and "cuda needs a libtorch" are checked before anything heavy is loaded; availability after.
        Choose(spec, explicitDirectory, () => true);

        var info = TorchRuntime.Initialize(explicitDirectory);
        var chosen = Choose(spec, explicitDirectory, () => info.HasCudaLibraries && CudaAvailable());
        torch.set_num_threads(threads ?? Environment.ProcessorCount);
        return new torch.Device(chosen);
    }

    /// <summary>
    /// As <see cref="Open"/> for a comma-separated list (<c>cuda:0,cuda:1</c>, or <c>cpu,cpu</c> to run the multi-device path on
    /// one CPU); <c>cuda:all</c> is every CUDA device the libtorch sees. A single name gives one device. In a list, <c>cuda</c>
    /// is <c>cuda:0</c>, and an index the libtorch does not see is a one-line error.
    /// </summary>
    public static torch.Device[] OpenAll(string spec, string? libTorchDirectory, int? threads)
    {
        var parts = (spec ?? "").Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0)) throw new MarginFaceException($"--device: expected a device or a comma-separated list of devices, got '{spec}'");
        var all = parts.Length == 1 && parts[0].Equals("cuda:all", StringComparison.OrdinalIgnoreCase);
        if (parts.Length == 1 && !all) return [Open(parts[0], libTorchDirectory, threads)];
        var explicitDirectory = ExplicitDirectory(libTorchDirectory);
        foreach (var part in parts) Choose(all ? "cuda" : part, explicitDirectory, () => true);
        Open(all ? "cuda" : parts[0], libTorchDirectory, threads);
        var info = TorchRuntime.Current!;
        var devices = all
            ? Enumerable.Range(0, torch.cuda.device_count()).Select(i => new torch.Device(DeviceType.CUDA, i)).ToArray()
            : parts.Select(part => Choose(part, explicitDirectory, () => info.HasCudaLibraries && CudaAvailable()) is var name && name == "cuda"
                ? new torch.Device(DeviceType.CUDA, 0) : new torch.Device(name)).ToArray();
        foreach (var device in devices)
            if (device.type == DeviceType.CUDA && device.index >= torch.cuda.device_count())
                throw new MarginFaceException($"--device {device}: the libtorch in {explicitDirectory} sees {torch.cuda.device_count()} CUDA device(s)");
        return devices;
    }

    private static string? ExplicitDirectory(string? libTorchDirectory)
    {
        var directory = string.IsNullOrWhiteSpace(libTorchDirectory) ? Environment.GetEnvironmentVariable(TorchRuntime.LibTorchVariable) : libTorchDirectory;
        return string.IsNullOrWhiteSpace(directory) ? null : directory;
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
