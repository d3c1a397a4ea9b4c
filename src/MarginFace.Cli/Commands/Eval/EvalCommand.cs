using System.CommandLine;

namespace MarginFace.Cli.Commands.Eval;

/// <summary><c>marginface eval</c>: verification on LFW-style pairs (<c>lfw</c>) and InsightFace .bin sets (<c>bin</c>), LFW's no-outside-data protocol (<c>lfw-protocol</c>), and closed/open-set identification (<c>identification</c>).</summary>
internal static class EvalCommand
{
    public static Command Create() => new("eval", "Evaluate face recognition: verification on LFW-style pairs and InsightFace .bin sets, LFW's no-outside-data protocol, identification")
    {
        EvalLfwCommand.Create(),
        EvalBinCommand.Create(),
        EvalLfwProtocolCommand.Create(),
        EvalIdentificationCommand.Create(),
    };
}
