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
        var align = new Option<bool>("--align") { Description = "detect and align each face as InsightFace's 112×112 sets (--crop landmarks:112), stored as JPEG quality 95" };
        var crop = new Option<string?>("--crop") { Description = "store the face this crop cuts (center:SIZE, landmarks[:TEMPLATE]) as JPEG quality 95 instead of the file's bytes" };
        var command = new Command("pack", "Write an identity folder as InsightFace RecordIO (train.rec, train.idx, property)") { input, output, align, crop };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(output)!;
            if (OutputFiles.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists) is { } existing)
            {
                System.Console.Error.WriteLine($"error: --out {folder}: {existing} already exists; nothing was written (remove it or choose another --out)");
                return ExitCodes.WouldOverwrite;
            }
            if (parse.GetValue(align) && parse.GetValue(crop) is not null) throw new MarginFaceException("--align and --crop exclude each other (--align is --crop landmarks:112)");
            FaceCrop? face = null;
            if ((parse.GetValue(align) ? "landmarks:112" : parse.GetValue(crop)) is string text)
            {
                try
                {
                    face = FaceCrop.Parse(text);
                    if (face is LandmarkFaceCrop landmarks) landmarks.EnsureDetector();
                }
                catch (MarginFaceException e)
                {
                    throw new MarginFaceException($"{(parse.GetValue(align) ? "--align" : "--crop")}: {e.Message}");
                }
            }
            var dataset = IdentityFolderDataset.Scan(parse.GetValue(input)!);
            if (face is null) RecordIoWriter.Pack(dataset, folder);
            else RecordIoWriter.Pack(dataset, folder, face);
            System.Console.WriteLine($"packed {dataset.Samples.Count} {(face is null ? "images" : $"faces ({face}, JPEG)")} of {dataset.ClassCount} identities into {Path.Combine(folder, "train.rec")}");
            return ExitCodes.Success;
        });
        return command;
    }
}
