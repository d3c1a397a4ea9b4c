using System.CommandLine;
using MarginFace.Data;

namespace MarginFace.Cli.Commands.Dataset;

/// <summary>
/// <c>marginface dataset pack IDENTITY_DIR --out DIR</c>: writes the identity folder's images (their file bytes, not re-encoded,
/// in <see cref="IdentityFolderDataset"/>'s order and labels) as <c>DIR/train.rec</c>, <c>train.idx</c> and <c>property</c>.
/// Refuses (exit 4) when any of the three already exists; exit 1 for an unreadable folder or image.
/// </summary>
internal static class DatasetPackCommand
{
    private static readonly string[] OutputFiles = ["train.rec", "train.idx", "property"];

    public static Command Create()
    {
        var input = new Argument<string>("identity-dir") { Description = "folder with one sub-folder of images per person" };
        var output = new Option<string>("--out") { Description = "folder for train.rec, train.idx and property", Required = true };
        var command = new Command("pack", "Write an identity folder as InsightFace RecordIO (train.rec, train.idx, property)") { input, output };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(output)!;
            if (OutputFiles.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists) is { } existing)
            {
                System.Console.Error.WriteLine($"error: --out {folder}: {existing} already exists; nothing was written (remove it or choose another --out)");
                return ExitCodes.WouldOverwrite;
            }
            var dataset = IdentityFolderDataset.Scan(parse.GetValue(input)!);
            RecordIoWriter.Pack(dataset, folder);
            System.Console.WriteLine($"packed {dataset.Samples.Count} images of {dataset.ClassCount} identities into {Path.Combine(folder, "train.rec")}");
            return ExitCodes.Success;
        });
        return command;
    }
}
