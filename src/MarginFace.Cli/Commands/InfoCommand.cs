using System.CommandLine;
using TorchSharp;
using MarginFace.Runtime;

namespace MarginFace.Cli.Commands;

/// <summary><c>marginface info</c>: loads libtorch and reports what was loaded and which devices are usable.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var compute = new ComputeOptions();
        var command = new Command("info", "Load libtorch and show the device, threads, libtorch directory and cache location");
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var device = compute.Open(parse);
            using var x = torch.ones(2, 2, device: device);
            System.Console.WriteLine($"check: sum of ones(2,2) on {device.type} = {x.sum().item<float>()}");
            System.Console.WriteLine($"cache: {CachePaths.Root}");
            System.Console.WriteLine($"huge pages: GLIBC_TUNABLES={Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "(unset)"}");
            return 0;
        });
        return command;
    }
}
