using System.CommandLine;
using MarginFace.Mnist;

namespace MarginFace.Cli.Commands;

/// <summary><c>marginface mnist report DIR</c>: rebuild report.html, report.md and grid.png of an (interrupted or extended) <c>mnist --compare</c> run.</summary>
internal static class MnistReportCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "the --out directory of mnist --compare" };
        var command = new Command("report", "Rebuild the comparison report (report.html, report.md, grid.png) from a mnist --compare directory") { directory };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(directory)!;
            var entries = MnistComparison.Rebuild(dir);
            foreach (var entry in entries) System.Console.WriteLine($"{entry.Loss,-15} test accuracy {entry.TestAccuracy,8:P2}");
            System.Console.WriteLine($"report: {Path.Combine(dir, "report.html")}");
            return 0;
        });
        return command;
    }
}
