namespace MarginFace.Cli.Commands;

/// <summary>Exit codes of the face commands: 0 success, 1 bad input (unreadable file, bad option, model or gallery), 2 no face or no match.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int BadInput = 1;
    public const int NoFace = 2;

    /// <summary>The code to report when two outcomes occurred: bad input wins over no face, which wins over success.</summary>
    public static int Worst(int a, int b) => (a, b) switch
    {
        (BadInput, _) or (_, BadInput) => BadInput,
        (NoFace, _) or (_, NoFace) => NoFace,
        _ => Success,
    };
}
