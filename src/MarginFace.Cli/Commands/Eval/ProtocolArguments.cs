using System.Globalization;
using MarginFace.Evaluation;

namespace MarginFace.Cli.Commands.Eval;

/// <summary>The arguments the protocol commands share: a pairs file of at least two folds, a list of test folds, the report they print and save.</summary>
internal static class ProtocolArguments
{
    /// <summary>"all" or "1,3,5" (1-based, each at most once) for a pairs file of <paramref name="count"/> folds; <paramref name="keywords"/> names the words the option accepts, for the error.</summary>
    public static IReadOnlyList<int> ParseFolds(string text, int count, string keywords = "'all'")
    {
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return Enumerable.Range(1, count).ToList();
        var folds = new List<int>();
        foreach (var field in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var fold) || fold < 1 || fold > count)
                throw new MarginFaceException($"--folds: expected {keywords} or folds from 1 to {count} separated by commas, got '{text}'");
            if (folds.Contains(fold)) throw new MarginFaceException($"--folds: fold {fold} is given twice");
            folds.Add(fold);
        }
        return folds;
    }

    /// <summary>The test folds of <c>--folds</c>: null for 'done' (every fold finished), else 'all' or a list.</summary>
    public static IReadOnlyList<int>? DoneFolds(string text, LfwPairs pairs) =>
        text.Trim().Equals("done", StringComparison.OrdinalIgnoreCase) ? null : ParseFolds(text, pairs.Folds, "'done', 'all'");

    /// <summary>The pairs file of a 10-fold style protocol: at least two folds.</summary>
    public static LfwPairs ReadPairs(string path)
    {
        var pairs = LfwPairs.Read(path);
        if (pairs.Folds < 2) throw new MarginFaceException($"{path}: the protocol needs at least two folds, the header gives {pairs.Folds}");
        return pairs;
    }

    /// <summary>Prints the protocol table and writes <c>OUT/report.json</c>.</summary>
    public static void PrintAndSave(LfwProtocolReport report, string outDir)
    {
        System.Console.Write(report.ToTable());
        var path = Path.Combine(outDir, "report.json");
        report.Save(path);
        System.Console.WriteLine($"wrote {path}");
    }
}
