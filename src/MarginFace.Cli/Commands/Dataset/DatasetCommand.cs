using System.CommandLine;

namespace MarginFace.Cli.Commands.Dataset;

/// <summary><c>marginface dataset pack|info|bin</c>: make and inspect InsightFace's RecordIO datasets (<c>train.rec</c>, <c>train.idx</c>, <c>property</c>) and write its <c>.bin</c> verification sets.</summary>
internal static class DatasetCommand
{
    public static Command Create() => new("dataset", "Pack an identity folder as MXNet RecordIO (InsightFace's train.rec/train.idx/property), describe one, or write a .bin verification set")
    {
        DatasetPackCommand.Create(),
        DatasetInfoCommand.Create(),
        DatasetBinCommand.Create(),
    };
}
