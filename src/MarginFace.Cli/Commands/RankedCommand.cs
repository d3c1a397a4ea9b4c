using MarginFace.Distributed;

namespace MarginFace.Cli.Commands;

/// <summary>
/// Runs a command that may be one rank of <c>mpirun -np N marginface …</c> (docs/distributed.md): joins the job, silences the
/// standard output of every rank but 0, and turns an error on any rank into one line naming the rank and an MPI_Abort with
/// the command's exit code, so the other ranks stop instead of waiting for it in a collective.
/// </summary>
internal static class RankedCommand
{
    public static int Run(Func<ICollective, int> body)
    {
        var ranks = DistributedLaunch.Join();
        if (ranks.Size == 1)
        {
            using (ranks) return body(ranks);
        }
        if (ranks.Rank != 0) System.Console.SetOut(TextWriter.Null);
        int code;
        try
        {
            code = body(ranks);
        }
        catch (Exception e)
        {
            code = Report(e, ranks);
            ranks.Abort(code);
            return code;
        }
        ranks.Dispose();
        return code;
    }

    /// <summary>The one line and exit code the command-line host would give, with the rank named.</summary>
    private static int Report(Exception e, ICollective ranks)
    {
        var where = $"rank {ranks.Rank} of {ranks.Size}";
        switch (e)
        {
            case MarginFaceException bad:
                System.Console.Error.WriteLine($"error: {where}: {OptionNames.ForCommandLine(bad)}");
                return ExitCodes.BadInput;
            case AggregateException many when many.Flatten().InnerExceptions is [MarginFaceException first, ..]:
                System.Console.Error.WriteLine($"error: {where}: {OptionNames.ForCommandLine(first)}");
                return ExitCodes.BadInput;
            case IOException or UnauthorizedAccessException:
                System.Console.Error.WriteLine($"error: {where}: {e.Message.ReplaceLineEndings(" ")}");
                return ExitCodes.BadInput;
            default:
                System.Console.Error.Write($"{where}: ");
                return InternalError.Report(e);
        }
    }
}
