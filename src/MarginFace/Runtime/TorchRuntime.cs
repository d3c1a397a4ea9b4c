using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace MarginFace.Runtime;

/// <summary>
/// Loads libtorch before TorchSharp's first use. Two things are done here that TorchSharp does not do itself:
/// <list type="bullet">
/// <item>on systems whose libstdc++ is older than the one TorchSharp's native glue was built against, a private copy of
/// <c>libLibTorchSharp.so</c> with the harmless version need marked weak is written to the cache and loaded
/// (see <see cref="LibStdCxxPlan"/>); nothing is patched where the system provides the version;</item>
/// <item>"bring your own libtorch": a directory such as a PyTorch install's <c>torch/lib</c> (CUDA builds included) is
/// loaded in place of the CPU libtorch that ships with TorchSharp-cpu.</item>
/// </list>
/// NNPACK is switched off once loaded (<see cref="NnpackSwitch"/>).
/// </summary>
internal static class TorchRuntime
{
    /// <summary>Environment variable naming a libtorch directory, used when no directory is passed explicitly.</summary>
    public const string LibTorchVariable = "MARGINFACE_LIBTORCH";

    private const string GlueLibrary = "libLibTorchSharp.so";
    private static readonly object Gate = new();
    private static readonly Dictionary<string, IntPtr> Resolved = new(StringComparer.Ordinal);
    private static TorchRuntimeInfo? current;

    /// <summary>
    /// Where libtorch comes from when neither a directory of the user's nor a libtorch next to the program is found: a program
    /// that does not carry libtorch (the <c>marginface</c> tool) sets this, before any command runs, to a function that finds
    /// or restores one and returns its directory; it is called only when libtorch is first needed, and may throw
    /// <see cref="MarginFaceException"/>.
    /// </summary>
    public static Func<string>? LibTorchProvider { get; set; }

    /// <summary>What was loaded, once <see cref="Initialize"/> has succeeded; otherwise null.</summary>
    public static TorchRuntimeInfo? Current => current;

    /// <summary>
    /// Loads libtorch once per process. <paramref name="libTorchDirectory"/> (or <see cref="LibTorchVariable"/>) selects a
    /// libtorch of the user's; without one, the CPU libtorch of the TorchSharp-cpu package is used (next to the program, or
    /// from <see cref="LibTorchProvider"/>).
    /// Throws <see cref="MarginFaceException"/> with a one-line cause when libtorch cannot be loaded.
    /// </summary>
    public static TorchRuntimeInfo Initialize(string? libTorchDirectory = null)
    {
        lock (Gate)
        {
            libTorchDirectory = NullIfBlank(libTorchDirectory) ?? NullIfBlank(Environment.GetEnvironmentVariable(LibTorchVariable));
            if (current is not null)
            {
                if (libTorchDirectory is not null && !SamePath(libTorchDirectory, current.LibTorchDirectory))
                    throw new MarginFaceException($"libtorch is already loaded from {current.LibTorchDirectory}; cannot switch to {libTorchDirectory} in the same process");
                return current;
            }
            current = Load(libTorchDirectory);
            return current;
        }
    }

    private static TorchRuntimeInfo Load(string? userLibTorch)
    {
        if (!OperatingSystem.IsLinux())
        {
            if (userLibTorch is not null) throw new MarginFaceException("--libtorch is supported on Linux only");
            InitializeTorchSharp();
            return new TorchRuntimeInfo("(TorchSharp default)", false, LibStdCxxAction.LoadAsIs, null);
        }

        var glueDirectory = FindDirectoryContaining(GlueLibrary)
            ?? throw new MarginFaceException($"libtorch could not be loaded: {GlueLibrary} (package TorchSharp) was not found next to the program");
        string libTorchDirectory;
        if (userLibTorch is not null)
        {
            libTorchDirectory = Path.GetFullPath(userLibTorch);
            if (!File.Exists(Path.Combine(libTorchDirectory, "libtorch_cpu.so")))
                throw new MarginFaceException($"--libtorch {libTorchDirectory}: no libtorch_cpu.so there (expected a libtorch 'lib' directory, e.g. a PyTorch install's torch/lib)");
            // TorchSharp looks libtorch_cpu up by name when its types initialise; a bundled copy next to the program would be
            // mapped beside the user's and abort the process, so that combination is refused.
            var bundled = FindDirectoryContaining("libtorch_cpu.so");
            if (bundled is not null && !SamePath(bundled, libTorchDirectory))
                throw new MarginFaceException($"--libtorch {libTorchDirectory}: this build bundles its own CPU libtorch ({bundled}); use a build published with -p:BundleLibTorch=false (see README, GPU)");
        }
        else
        {
            libTorchDirectory = FindDirectoryContaining("libtorch_cpu.so")
                ?? LibTorchProvider?.Invoke()
                ?? throw new MarginFaceException($"libtorch could not be loaded: this build has no bundled libtorch_cpu.so; pass --libtorch DIR or set {LibTorchVariable}=DIR");
        }

        var gluePath = Path.Combine(glueDirectory, GlueLibrary);
        var plan = PlanFor(gluePath);
        if (plan.Action == LibStdCxxAction.Unsupported)
            throw new MarginFaceException($"libtorch could not be loaded: {gluePath} needs {string.Join(", ", plan.Missing)} from libstdc++, which this system's libstdc++ lacks (install a newer libstdc++6)");

        // Dependencies first, by full path: the glue library's DT_NEEDED entries then resolve to these by soname.
        var cuda = File.Exists(Path.Combine(libTorchDirectory, "libtorch_cuda.so"));
        foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so" })
        {
            var path = Path.Combine(libTorchDirectory, name);
            if (!File.Exists(path)) continue;
            var handle = LoadOrExplain(path);
            if (name == "libtorch_cpu.so") Resolved["torch_cpu"] = handle;
            if (name == "libtorch_cuda.so") Resolved["torch_cuda"] = handle;
        }

        string? patchedCopy = null;
        if (plan.Action == LibStdCxxAction.LoadWeakenedCopy)
        {
            patchedCopy = WriteWeakenedCopy(gluePath, plan.Missing);
            Resolved["LibTorchSharp"] = LoadOrExplain(patchedCopy);
        }
        else
        {
            Resolved["LibTorchSharp"] = LoadOrExplain(gluePath);
        }

        NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, Resolve);
        InitializeTorchSharp(cuda);
        if (Resolved.TryGetValue("torch_cpu", out var torchCpu)) NnpackSwitch.Disable(torchCpu);
        return new TorchRuntimeInfo(libTorchDirectory, cuda, plan.Action, patchedCopy);
    }

    /// <summary>Reads the glue library's libstdc++ needs and the versions of the libstdc++ this process uses.</summary>
    public static LibStdCxxPlan PlanFor(string gluePath)
    {
        var needs = ElfSymbolVersions.ReadNeeds(File.ReadAllBytes(gluePath));
        var libstdcxx = FindSystemLibStdCxx();
        if (libstdcxx is null) return LibStdCxxPlan.Decide(needs, new HashSet<string>());
        return LibStdCxxPlan.Decide(needs, ElfSymbolVersions.ReadDefinitions(File.ReadAllBytes(libstdcxx)));
    }

    /// <summary>The libstdc++ the dynamic loader will bind: the one already mapped into this process, else the usual places.</summary>
    public static string? FindSystemLibStdCxx()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var at = line.IndexOf('/');
                if (at < 0) continue;
                var path = line[at..].Trim();
                if (Path.GetFileName(path).StartsWith("libstdc++.so", StringComparison.Ordinal)) return path;
            }
        }
        catch (IOException) { }
        foreach (var directory in new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" })
        {
            var path = Path.Combine(directory, "libstdc++.so.6");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static string WriteWeakenedCopy(string gluePath, IReadOnlySet<string> versions)
    {
        var original = File.ReadAllBytes(gluePath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(original))[..16];
        var target = Path.Combine(CachePaths.Root, "native", hash, GlueLibrary);
        try
        {
            // Checked before every load: a damaged or planted copy is made again from the original, never mapped.
            VerifiedCacheFile.Ensure(target, () => ElfSymbolVersions.MarkWeak(original, versions));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"libtorch could not be loaded: cannot write the patched copy {target}: {e.Message} (set {CachePaths.CacheVariable} to a writable directory)");
        }
        return target;
    }

    private static void MarkBackendLoaded(string field) =>
        typeof(torch).GetField(field, BindingFlags.NonPublic | BindingFlags.Static)?.SetValue(null, true);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        Resolved.TryGetValue(libraryName, out var handle) ? handle : IntPtr.Zero;

    private static IntPtr LoadOrExplain(string path)
    {
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            throw new MarginFaceException($"libtorch could not be loaded: {FirstLine(e.Message)}");
        }
    }

    private static void InitializeTorchSharp(bool cuda = false)
    {
        try
        {
            // TorchSharp's own loader looks libraries up by name (NativeLibrary.TryLoad, which bypasses the resolver); once
            // its types are initialised, tell it the backends are loaded so InitializeDeviceType(CUDA) does not search again.
            MarkBackendLoaded("nativeBackendLoaded");
            if (cuda) MarkBackendLoaded("nativeBackendCudaLoaded");
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or System.Reflection.TargetInvocationException)
        {
            var inner = e;
            while (inner.InnerException is not null) inner = inner.InnerException;
            throw new MarginFaceException($"libtorch could not be loaded: {FirstLine(inner.Message)}");
        }
    }

    /// <summary>Directories the .NET host probes for native libraries, then the app's own folders.</summary>
    private static string? FindDirectoryContaining(string fileName)
    {
        var candidates = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string probe)
            candidates.AddRange(probe.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        var rid = RuntimeInformation.RuntimeIdentifier.StartsWith("linux-arm64", StringComparison.Ordinal) ? "linux-arm64" : "linux-x64";
        foreach (var root in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" })
        {
            candidates.Add(root);
            candidates.Add(Path.Combine(root, "runtimes", rid, "native"));
        }
        return candidates.FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, fileName)));
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? message;
        return line;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a).TrimEnd('/'), Path.GetFullPath(b).TrimEnd('/'), StringComparison.Ordinal);
}
