using System.CommandLine;
using TorchSharp;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands;

/// <summary>The <c>--device</c>, <c>--libtorch</c> and <c>--threads</c> options shared by every command that computes.</summary>
internal sealed class ComputeOptions
{
    /// <param name="deviceLists">The command takes several devices (<see cref="OpenAll"/>), and its help says so.</param>
    public ComputeOptions(bool deviceLists = false)
    {
        Device = new("--device")
        {
            Description = deviceLists
                ? "cpu, cuda, cuda:N, auto, or a list such as cuda:0,cuda:1 or cuda:all (data parallel; cuda needs --libtorch or MARGINFACE_LIBTORCH)"
                : "cpu, cuda, cuda:N or auto (cuda needs --libtorch or MARGINFACE_LIBTORCH)",
            DefaultValueFactory = _ => "cpu",
        };
    }

    public Option<string> Device { get; }

    public Option<string?> LibTorch { get; } = new("--libtorch")
    {
        Description = $"directory of an existing libtorch to load, e.g. a PyTorch install's torch/lib (default: ${TorchRuntime.LibTorchVariable}, else the CPU libtorch next to the program or from NuGet, restored into the cache on first use)",
    };

    public Option<int?> Threads { get; } = new("--threads")
    {
        Description = "CPU threads for libtorch (default: all cores)",
    };

    /// <summary>As <see cref="Open(ParseResult, int?)"/> for <c>--device</c> lists (<see cref="ComputeDevice.OpenAll"/>), printing every device; <paramref name="map"/> may rewrite the text first (a rank's own GPU).</summary>
    public torch.Device[] OpenAll(ParseResult parse, int? threads, Func<string, string>? map = null)
    {
        var text = parse.GetValue(Device) ?? "cpu";
        var devices = ComputeDevice.OpenAll(map is null ? text : map(text), parse.GetValue(LibTorch), threads);
        Print(devices);
        return devices;
    }

    public void AddTo(Command command)
    {
        command.Add(Device);
        command.Add(LibTorch);
        command.Add(Threads);
    }

    /// <summary>Loads libtorch, selects the device, sets threads, and prints them.</summary>
    public torch.Device Open(ParseResult parse) => Open(parse, parse.GetValue(Threads));

    /// <summary>As <see cref="Open(ParseResult)"/>, with the thread count the command chose.</summary>
    public torch.Device Open(ParseResult parse, int? threads)
    {
        var device = ComputeDevice.Open(parse.GetValue(Device) ?? "cpu", parse.GetValue(LibTorch), threads);
        Print([device]);
        return device;
    }

    private static void Print(torch.Device[] devices)
    {
        var info = TorchRuntime.Current!;
        var libstdcxx = info.LibStdCxx == LibStdCxxAction.LoadWeakenedCopy ? " (libstdc++ compatibility copy)" : "";
        var names = string.Join(",", devices.Select(d => $"{d.type.ToString().ToLowerInvariant()}{(d.index >= 0 ? ":" + d.index : "")}"));
        System.Console.WriteLine($"device{(devices.Length > 1 ? "s" : "")}: {names}, threads: {torch.get_num_threads()}, libtorch: {info.LibTorchDirectory}{libstdcxx}");
    }
}
