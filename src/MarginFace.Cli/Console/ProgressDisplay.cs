using Spectre.Console;

namespace MarginFace.Cli.Console;

/// <summary>
/// A live progress bar with rate and ETA on a terminal; plain lines (every 10% and at the end) when output is redirected,
/// so CI logs stay readable.
/// </summary>
internal static class ProgressDisplay
{
    public static bool Interactive => !System.Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Writes a line above a live progress bar, or plainly when there is none.</summary>
    public static void Log(string message)
    {
        if (Interactive) AnsiConsole.MarkupLine(Markup.Escape(message));
        else System.Console.WriteLine(message);
    }

    /// <summary>Runs <paramref name="work"/>, which reports (value out of <paramref name="total"/>, status text).</summary>
    public static T Run<T>(string description, double total, Func<Action<double, string>, T> work)
    {
        if (!Interactive) return RunPlain(description, total, work);
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1));
                result = work((value, status) =>
                {
                    task.Value = value;
                    task.Description = Markup.Escape(string.IsNullOrEmpty(status) ? description : $"{description} {status}");
                });
                task.Value = task.MaxValue;
            });
        return result;
    }

    private static T RunPlain<T>(string description, double total, Func<Action<double, string>, T> work)
    {
        var started = DateTime.UtcNow;
        var nextTenth = 1;
        var result = work((value, status) =>
        {
            if (total <= 0 || value < total * nextTenth / 10.0) return;
            while (value >= total * nextTenth / 10.0) nextTenth++;
            var elapsed = DateTime.UtcNow - started;
            var eta = value > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (total - value) / value) : TimeSpan.Zero;
            System.Console.WriteLine($"{description} {100 * value / total,3:0}% {status} elapsed {elapsed:mm\\:ss} eta {eta:mm\\:ss}");
        });
        return result;
    }
}
