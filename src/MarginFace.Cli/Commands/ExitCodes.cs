namespace MarginFace.Cli.Commands;

/// <summary>
/// The exit codes of every command, one table (docs/cli.md): 0 success, 1 bad input (unreadable file, bad option, model or
/// gallery; enroll: several faces and no --face), 2 no face found, 3 faces found but no match (verify: different people;
/// identify: an image none of whose faces has anybody above the threshold),
/// 4 refused to overwrite (outputs that would collide, or a training run already in the output folder), 70 internal error
/// (an exception no command expected: a bug; <c>EX_SOFTWARE</c> of sysexits.h).
/// </summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int BadInput = 1;
    public const int NoFace = 2;
    public const int NoMatch = 3;

    /// <summary>Nothing was written because outputs would overwrite each other or earlier work (a finished or running training run).</summary>
    public const int WouldOverwrite = 4;

    /// <summary>An unexpected exception reached the last-resort handler: a bug to report (run again with <c>--verbose</c> for the trace).</summary>
    public const int InternalError = 70;

    /// <summary>The code to report when two outcomes occurred: bad input wins over no face, which wins over no match, which wins over success.</summary>
    public static int Worst(int a, int b) => (a, b) switch
    {
        (BadInput, _) or (_, BadInput) => BadInput,
        (NoFace, _) or (_, NoFace) => NoFace,
        (NoMatch, _) or (_, NoMatch) => NoMatch,
        _ => Success,
    };
}
