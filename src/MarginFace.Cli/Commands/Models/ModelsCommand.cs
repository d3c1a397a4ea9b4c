using System.CommandLine;
using MarginFace.Cli.Console;
using MarginFace.Interop.FaceApi;
using MarginFace.Cli.Runtime;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands.Models;

/// <summary>
/// <c>marginface models list|fetch</c>: the networks the tool fetches on first use (face-api's recognition, detectors, landmarks,
/// age/gender and expression nets, one npm package), where they are cached and whether they are intact; <c>fetch</c> fills the
/// cache ahead of time so that the folder can be copied to a machine without npm.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create() => new("models", "List or fetch the models the tool downloads on first use (for offline machines)")
    {
        List(),
        Fetch(),
    };

    private static Command List()
    {
        var command = new Command("list", "Show each model, its files, size and state in the cache");
        command.SetAction(_ =>
        {
            var cache = new FaceApiModelCache();
            System.Console.WriteLine($"cache: {cache.Directory}  (npm package {FaceApiModelCache.Spec}, MIT)");
            foreach (var net in Enum.GetValues<FaceApiNet>())
            {
                var state = cache.Status(net) switch
                {
                    true => "verified",
                    false => "digest mismatch (refetched on use)",
                    null => "not fetched",
                };
                System.Console.WriteLine($"  {Name(net),-20} {FaceApiModelCache.FileStem(net),-28} {Megabytes(cache.Size(net)),9}  {state}");
            }
            System.Console.WriteLine($"  {"libtorch",-20} {$"{LibTorchPackage.Id} {LibTorchPackage.Version}",-28} {"",9}  {LibTorchState()}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Where libtorch would come from for the commands that train (none of the models above needs it).</summary>
    private static string LibTorchState()
    {
        if (Environment.GetEnvironmentVariable(TorchRuntime.LibTorchVariable) is { Length: > 0 } own) return $"{TorchRuntime.LibTorchVariable}={own}";
        if (LibTorchPackage.InGlobalPackagesFolder() is { } global) return $"in NuGet's packages folder ({global})";
        if (File.Exists(Path.Combine(LibTorchPackage.CacheDirectory, "libtorch_cpu.so"))) return $"restored ({LibTorchPackage.CacheDirectory})";
        return "not restored (the first command that trains restores it; models fetch --libtorch does it now)";
    }

    private static Command Fetch()
    {
        var libtorch = new Option<bool>("--libtorch") { Description = $"also restore libtorch ({LibTorchPackage.Id} {LibTorchPackage.Version}, 128 MB) from your NuGet sources, for the commands that train" };
        var command = new Command("fetch", "Fetch every model into the cache (needs npm and the registry), checked by SHA-256") { libtorch };
        command.SetAction(parse =>
        {
            var cache = new FaceApiModelCache();
            var log = new SynchronousProgress(message => System.Console.Error.WriteLine(message));
            long total = 0;
            foreach (var net in Enum.GetValues<FaceApiNet>())
            {
                cache.EnsureAvailable(net, log);
                total += cache.Size(net);
                System.Console.WriteLine($"  {Name(net),-20} {Megabytes(cache.Size(net)),9}  verified");
            }
            if (parse.GetValue(libtorch))
                System.Console.WriteLine($"  {"libtorch",-20} {LibTorchPackage.Locate(log)}");
            System.Console.WriteLine($"{Megabytes(total)} in {cache.Directory}; for a machine without npm, copy this face-api folder into its MarginFace cache folder (${CachePaths.CacheVariable}, else ~/.cache/marginface)");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The model's name as the tool's options spell it.</summary>
    internal static string Name(FaceApiNet net) => net switch
    {
        FaceApiNet.Recognition => "pretrained",
        FaceApiNet.SsdMobileNetV1 => "detector ssd",
        FaceApiNet.TinyFaceDetector => "detector tiny",
        FaceApiNet.Landmark68 => "landmarks 68",
        FaceApiNet.Landmark68Tiny => "landmarks 68-tiny",
        FaceApiNet.AgeGender => "age-gender",
        FaceApiNet.Expression => "expression",
        _ => net.ToString(),
    };

    private static string Megabytes(long bytes) => $"{bytes / 1e6:0.00} MB";
}
