using System.CommandLine;

namespace MarginFace.Cli.Commands.Dataset;

/// <summary><c>marginface dataset pack|info</c>: make and inspect InsightFace's RecordIO datasets (<c>train.rec</c>, <c>train.idx</c>, <c>property</c>).</summary>
internal static class DatasetCommand
{
    public static Command Create() => new("dataset", "Pack an identity folder as MXNet RecordIO (InsightFace's train.rec/train.idx/property) or describe one")
    {
        DatasetPackCommand.Create(),
        DatasetInfoCommand.Create(),
    };
}
