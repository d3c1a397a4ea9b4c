using System.CommandLine;
using MarginFace.Data;
using MarginFace.Evaluation;

namespace MarginFace.Cli.Commands.Dataset;

/// <summary>
/// <c>marginface dataset bin --pairs pairs.txt --images DIR --out lfw.bin [--crop …] [--protocol 2|4]</c>: writes an InsightFace
/// verification set (<see cref="VerificationBinWriter"/>) from LFW-format pairs, which <c>eval bin</c>, <c>train --val</c> and
/// arcface_torch read. Refuses (exit 4) when <c>--out</c> exists; exit 1 for a bad pairs file, a missing image or a face not found.
/// </summary>
internal static class DatasetBinCommand
{
    public static Command Create()
    {
        var pairs = new Option<string>("--pairs") { Description = "pairs file in LFW's format (pairs.txt)", Required = true };
        var images = new Option<string>("--images") { Description = "folder the pairs' images are under (NAME/NAME_0001.jpg)", Required = true };
        var output = new Option<string>("--out") { Description = "the .bin file to write", Required = true };
        var crop = new Option<string>("--crop") { Description = "none (the files' bytes as they are), center:SIZE or landmarks[:112] (the face, re-encoded as JPEG quality 95)", DefaultValueFactory = _ => "none" };
        var protocol = new Option<int>("--protocol") { Description = "pickle protocol: 4 (Python 3 bytes) or 2 (Python 2 str, as InsightFace's own files)", DefaultValueFactory = _ => 4 };
        var command = new Command("bin", "Write an InsightFace .bin verification set (pickled images and same/different flags) from LFW-format pairs")
        {
            pairs, images, output, crop, protocol,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output)!;
            if (File.Exists(path))
            {
                System.Console.Error.WriteLine($"error: --out {path} already exists; nothing was written (remove it or choose another --out)");
                return ExitCodes.WouldOverwrite;
            }
            var version = parse.GetValue(protocol);
            if (version is not (2 or 4)) throw new MarginFaceException($"--protocol: expected 2 or 4, got {version}");
            FaceCrop face;
            try
            {
                face = FaceCrop.Parse(parse.GetValue(crop)!);
                if (face is LandmarkFaceCrop landmarks) landmarks.EnsureDetector();
            }
            catch (MarginFaceException e)
            {
                throw new MarginFaceException($"--crop: {e.Message}");
            }
            var list = LfwPairs.Read(parse.GetValue(pairs)!);
            VerificationBinWriter.WritePairs(path, list, parse.GetValue(images)!, face, version);
            System.Console.WriteLine($"wrote {list.Pairs.Count} pairs ({list.Pairs.Count(p => p.Same)} same) to {path} ({new FileInfo(path).Length} bytes, pickle protocol {version}, crop {face})");
            return ExitCodes.Success;
        });
        return command;
    }
}
