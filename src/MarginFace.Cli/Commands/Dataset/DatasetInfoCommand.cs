using System.CommandLine;
using MarginFace.Data;

namespace MarginFace.Cli.Commands.Dataset;

/// <summary>
/// <c>marginface dataset info DIR</c>: the number of records, images and identities of a RecordIO dataset folder, its
/// <c>property</c>, and record 0's header (InsightFace's identity ranges). Exit 1 when the files are missing or damaged.
/// </summary>
internal static class DatasetInfoCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("dir") { Description = "folder with train.rec, train.idx and (optionally) property" };
        var command = new Command("info", "Describe a RecordIO dataset folder: images, identities, property, the header record") { input };
        command.SetAction(parse =>
        {
            using var dataset = RecordIoDataset.Open(parse.GetValue(input)!);
            System.Console.WriteLine($"file:       {dataset.RecPath} ({dataset.RecLength} bytes)");
            System.Console.WriteLine($"records:    {dataset.RecordCount}");
            System.Console.WriteLine($"images:     {dataset.Count}");
            System.Console.WriteLine($"identities: {(dataset.HasIdentityRanges ? dataset.IdentityCount.ToString(System.Globalization.CultureInfo.InvariantCulture) : "(no identity records)")}");
            System.Console.WriteLine($"property:   {(dataset.Property is { } p ? $"{p.Classes} classes, {p.Height}×{p.Width}" : "(none)")}");
            System.Console.WriteLine($"header:     {dataset.Header}");
            return ExitCodes.Success;
        });
        return command;
    }
}
