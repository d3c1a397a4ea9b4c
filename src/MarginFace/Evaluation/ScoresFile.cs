using System.Globalization;
using MarginFace.Runtime;

namespace MarginFace.Evaluation;

/// <summary>
/// Pair scores computed by any program, as a tab-separated file: a header <c>name1	n1	name2	n2	score</c>, then one line per pair of a
/// pairs file, in any order (higher score = more similar). A same-person pair repeats its name: <c>Alice	1	Alice	2	0.71</c>. A line
/// matches a pair when it names the same two images in either order. Every pair must have exactly one line, and every line must be a pair
/// of the pairs file; anything else is a one-line <see cref="MarginFaceException"/> "path:line: problem".
/// </summary>
internal static class ScoresFile
{
    /// <summary>The header line, tab-separated.</summary>
    public const string Header = "name1\tn1\tname2\tn2\tscore";

    /// <summary>See <see cref="ReadLimits.MaxScoresLineLength"/>, where every reader's budget is named with its reason.</summary>
    public const int MaxLineLength = ReadLimits.MaxScoresLineLength;

    /// <summary>The score of each pair of <paramref name="pairs"/>, in <see cref="LfwPairs.Pairs"/> order.</summary>
    public static double[] Read(string path, LfwPairs pairs) => Read(path, pairs.Pairs, pairs.Source);

    /// <summary>The score of each of <paramref name="pairs"/>, in order; <paramref name="pairsSource"/> names where the pairs came from, in messages.</summary>
    public static double[] Read(string path, IReadOnlyList<LfwPair> pairs, string pairsSource)
    {
        CheckFile(path);
        using var reader = new StreamReader(path);
        return Parse(reader, path, pairs, pairsSource);
    }

    /// <summary>Parses scores for <paramref name="pairs"/> from <paramref name="reader"/>; <paramref name="source"/> names it in messages.</summary>
    public static double[] Parse(TextReader reader, string source, LfwPairs pairs) => Parse(reader, source, pairs.Pairs, pairs.Source);

    /// <summary>Parses scores for <paramref name="pairs"/> (from <paramref name="pairsSource"/>) from <paramref name="text"/>; <paramref name="source"/> names it in messages.</summary>
    public static double[] Parse(TextReader text, string source, IReadOnlyList<LfwPair> pairs, string pairsSource)
    {
        var reader = new BoundedLineReader(text, MaxLineLength, source);
        var index = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < pairs.Count; i++)
        {
            var p = pairs[i];
            var key = Key(p.Name1, p.Number1, p.Name2, p.Number2);
            if (!index.TryGetValue(key, out var list)) index[key] = list = [];
            list.Add(i);
        }
        var scores = new double[pairs.Count];
        var lineOf = new int[pairs.Count];

        CheckHeader(reader.ReadLine(), source);
        int lineNumber = 1;
        string? line;
        bool blankSeen = false;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                blankSeen = true;
                continue;
            }
            if (blankSeen) throw Error(source, lineNumber - 1, "empty line");
            var fields = line.TrimEnd('\r').Split('\t');
            if (fields.Length != 5) throw Error(source, lineNumber, $"expected 5 tab-separated fields 'name1 n1 name2 n2 score', got {fields.Length}");
            int n1 = Number(fields[1], source, lineNumber), n2 = Number(fields[3], source, lineNumber);
            if (!double.TryParse(fields[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var score) || !double.IsFinite(score))
                throw Error(source, lineNumber, $"score '{Shorten(fields[4])}' is not a finite number");
            if (!index.TryGetValue(Key(fields[0], n1, fields[2], n2), out var matches) && !index.TryGetValue(Key(fields[2], n2, fields[0], n1), out matches))
                throw Error(source, lineNumber, $"pair {fields[0]} {n1} {fields[2]} {n2} is not in {pairsSource}");
            foreach (var i in matches)
            {
                if (lineOf[i] != 0) throw Error(source, lineNumber, $"pair {fields[0]} {n1} {fields[2]} {n2} already scored on line {lineOf[i]}");
                lineOf[i] = lineNumber;
                scores[i] = score;
            }
        }
        int missing = lineOf.Count(l => l == 0);
        if (missing > 0)
        {
            var first = pairs[Array.IndexOf(lineOf, 0)];
            throw new MarginFaceException($"{source}: no score for pair {first.Name1} {first.Number1} {first.Name2} {first.Number2} ({pairsSource}{(first.Line > 0 ? $":{first.Line}" : "")})"
                + (missing > 1 ? $" and {missing - 1} more" : ""));
        }
        return scores;
    }

    /// <summary>Writes <paramref name="scores"/> of <paramref name="pairs"/> (in pairs order) atomically, with round-trip precision.</summary>
    public static void Write(string path, LfwPairs pairs, IReadOnlyList<double> scores) => Write(path, pairs.Pairs, scores);

    /// <summary>Writes <paramref name="scores"/> of <paramref name="pairs"/> (in order) atomically, with round-trip precision.</summary>
    public static void Write(string path, IReadOnlyList<LfwPair> pairs, IReadOnlyList<double> scores)
    {
        if (scores.Count != pairs.Count) throw new ArgumentException($"{scores.Count} scores for {pairs.Count} pairs", nameof(scores));
        AtomicFile.Write(path, temp =>
        {
            using var writer = new StreamWriter(temp);
            writer.Write(Header + "\n");
            for (int i = 0; i < scores.Count; i++)
            {
                var p = pairs[i];
                writer.Write($"{p.Name1}\t{p.Number1}\t{p.Name2}\t{p.Number2}\t{scores[i].ToString("R", CultureInfo.InvariantCulture)}\n");
            }
        });
    }

    /// <summary>
    /// The same-person pairs a scores file lists, in its order, with their scores: for a file written from a list of pairs rather than a
    /// pairs file (the unseen people's <c>unseen-scores.tsv</c>). A different-person line is an error; pairs carry fold −1 and line 0.
    /// </summary>
    public static (IReadOnlyList<LfwPair> Pairs, double[] Scores) ReadSamePairs(string path)
    {
        CheckFile(path);
        var text = File.ReadAllText(path);
        var reader = new BoundedLineReader(new StringReader(text), MaxLineLength, path);
        CheckHeader(reader.ReadLine(), path);
        var pairs = new List<LfwPair>();
        for (int i = 1; reader.ReadLine() is { } line; i++)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.TrimEnd('\r').Split('\t');
            if (fields.Length != 5) throw Error(path, i + 1, $"expected 5 tab-separated fields 'name1 n1 name2 n2 score', got {fields.Length}");
            if (fields[0] != fields[2]) throw Error(path, i + 1, $"{fields[0]} and {fields[2]}: expected a same-person pair");
            pairs.Add(new LfwPair(fields[0], Number(fields[1], path, i + 1), fields[2], Number(fields[3], path, i + 1), Same: true, Fold: -1, Line: 0));
        }
        if (pairs.Count == 0) throw new MarginFaceException($"{path}: no pairs");
        return (pairs, Parse(new StringReader(text), path, pairs, path));
    }

    private static void CheckFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new MarginFaceException($"{path}: scores file not found");
        if (info.Length > LfwPairs.MaxFileBytes) throw new MarginFaceException($"{path}: {info.Length} bytes is too large for a scores file (at most {LfwPairs.MaxFileBytes})");
    }

    private static void CheckHeader(string? line, string source)
    {
        if (line is null || line.TrimEnd('\r') != Header)
            throw new MarginFaceException($"{source}:1: expected the header '{Header.Replace("\t", "<tab>")}' (tab-separated)");
    }

    private static string Key(string name1, int n1, string name2, int n2) => $"{name1}\t{n1}\t{name2}\t{n2}";

    private static int Number(string field, string source, int line)
    {
        if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            throw Error(source, line, $"'{Shorten(field)}' is not an image number (a positive integer)");
        return n;
    }

    private static string Shorten(string text) => (text.Length <= 60 ? text : text[..60] + "...").ReplaceLineEndings(" ");

    private static MarginFaceException Error(string source, int line, string problem) => new($"{source}:{line}: {problem.ReplaceLineEndings(" ")}");
}
