namespace MarginFace.Tests.Losses;

/// <summary>Appends gradient-check results to gradient-checks.txt in the test output folder, for the record.</summary>
internal static class GradientReport
{
    private static readonly object Gate = new();

    public static void Record(string line)
    {
        lock (Gate)
            File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "gradient-checks.txt"), $"{DateTime.UtcNow:O} {line}{Environment.NewLine}");
    }
}
