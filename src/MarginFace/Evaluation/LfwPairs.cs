using System.Globalization;
using System.Text.RegularExpressions;
using MarginFace.Runtime;

namespace MarginFace.Evaluation;

/// <summary>
/// A verification pairs file in the format of LFW's <c>pairs.txt</c> (Huang et al., 2007, View 2): a header <c>N M</c>, then N folds,
/// each M same-person lines <c>name n1 n2</c> followed by M different-person lines <c>name1 n1 name2 n2</c>, fields separated by tabs
/// or spaces. Image <c>n</c> of <c>name</c> is the file <c>name/name_nnnn.jpg</c> (four digits, zero-padded). The reader is strict:
/// every deviation is a one-line <see cref="MarginFaceException"/> "path:line: problem".
/// </summary>
public sealed class LfwPairs
{
    /// <summary>See <see cref="ReadLimits.MaxPairsFileBytes"/>, where every reader's budget is named with its reason.</summary>
    public const long MaxFileBytes = ReadLimits.MaxPairsFileBytes;

    /// <summary>See <see cref="ReadLimits.MaxPairsLineLength"/>, where every reader's budget is named with its reason.</summary>
    public const int MaxLineLength = ReadLimits.MaxPairsLineLength;

    private LfwPairs(string source, int folds, int pairsPerClass, IReadOnlyList<LfwPair> pairs)
    {
        Source = source;
        Folds = folds;
        PairsPerClass = pairsPerClass;
        Pairs = pairs;
    }

    /// <summary>The file the pairs were read from (used in messages).</summary>
    public string Source { get; }

    /// <summary>N of the header: the number of folds.</summary>
    public int Folds { get; }

    /// <summary>M of the header: same-person pairs per fold, and as many different-person pairs.</summary>
    public int PairsPerClass { get; }

    /// <summary>All pairs in file order (fold by fold, the same pairs of a fold before its different pairs).</summary>
    public IReadOnlyList<LfwPair> Pairs { get; }

    /// <summary>The relative path of image <paramref name="number"/> of <paramref name="name"/>: <c>name/name_nnnn.jpg</c>, '/'-separated.</summary>
    public static string ImagePath(string name, int number) => $"{name}/{name}_{number.ToString("D4", CultureInfo.InvariantCulture)}.jpg";

    /// <summary>
    /// The numbers n ≥ 1 of the images <c>name_nnnn.jpg</c> in <paramref name="folder"/>, whose last component is the person's name, in
    /// ascending order; other files are ignored.
    /// </summary>
    public static IReadOnlyList<int> ImageNumbers(string folder)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        var pattern = new Regex("^" + Regex.Escape(name) + @"_(\d{4})\.jpg$", RegexOptions.CultureInvariant);
        return Directory.EnumerateFiles(folder).Select(f => pattern.Match(Path.GetFileName(f))).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Where(n => n > 0).Order().ToList();
    }

    /// <summary>Reads and checks a pairs file.</summary>
    public static LfwPairs Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new MarginFaceException($"{path}: pairs file not found");
        if (info.Length > MaxFileBytes) throw new MarginFaceException($"{path}: {info.Length} bytes is too large for a pairs file (at most {MaxFileBytes})");
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    /// <summary>Parses a pairs file from <paramref name="text"/>; <paramref name="source"/> names it in messages.</summary>
    public static LfwPairs Parse(TextReader text, string source)
    {
        var reader = new BoundedLineReader(text, MaxLineLength, source);
        var header = reader.ReadLine();
        if (header is null) throw Error(source, 1, "empty file, expected a header 'N M' (folds, pairs per class)");
        var headerFields = Fields(header);
        if (headerFields.Length != 2 || !TryPositive(headerFields[0], out var folds) || !TryPositive(headerFields[1], out var perClass))
            throw Error(source, 1, $"expected a header 'N M' of two positive integers (folds, pairs per class), got '{Shorten(header)}'");
        long expected = 2L * folds * perClass;
        var pairs = new List<LfwPair>((int)Math.Min(expected, 100_000));
        int lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                if (pairs.Count == expected) continue;
                throw Error(source, lineNumber, $"empty line; expected pair {pairs.Count + 1} of {expected}");
            }
            if (pairs.Count == expected)
                throw Error(source, lineNumber, $"more pairs than the header's {folds} folds x 2 x {perClass} = {expected}");
            int fold = (int)(pairs.Count / (2L * perClass));
            bool same = pairs.Count % (2L * perClass) < perClass;
            pairs.Add(ParsePair(Fields(line), same, fold, source, lineNumber));
        }
        if (pairs.Count != expected)
            throw Error(source, lineNumber, $"the header promises {folds} folds x 2 x {perClass} = {expected} pairs, the file has {pairs.Count}");
        return new LfwPairs(source, folds, perClass, pairs);
    }

    /// <summary>
    /// Checks that every image the pairs name exists under <paramref name="imagesDirectory"/>; the first missing one is a one-line error with
    /// its path and the line that names it.
    /// </summary>
    public void CheckImages(string imagesDirectory)
    {
        if (!Directory.Exists(imagesDirectory)) throw new MarginFaceException($"{imagesDirectory}: images directory not found");
        foreach (var pair in Pairs)
            foreach (var image in new[] { pair.Image1, pair.Image2 })
            {
                var full = Path.Combine(imagesDirectory, image);
                if (!File.Exists(full)) throw new MarginFaceException($"{full}: image not found (named at {Source}:{pair.Line})");
            }
    }

    /// <summary>The distinct images the pairs name, in order of first appearance.</summary>
    public IReadOnlyList<string> Images() => ImagesOf(Pairs);

    /// <summary>The distinct images <paramref name="pairs"/> name, in order of first appearance.</summary>
    public static IReadOnlyList<string> ImagesOf(IEnumerable<LfwPair> pairs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var images = new List<string>();
        foreach (var pair in pairs)
        {
            if (seen.Add(pair.Image1)) images.Add(pair.Image1);
            if (seen.Add(pair.Image2)) images.Add(pair.Image2);
        }
        return images;
    }

    /// <summary>Whether each pair is a same-person pair, in <see cref="Pairs"/> order.</summary>
    public bool[] SameLabels() => Pairs.Select(p => p.Same).ToArray();

    /// <summary>The 0-based fold of each pair, in <see cref="Pairs"/> order.</summary>
    public int[] FoldIndices() => Pairs.Select(p => p.Fold).ToArray();

    private static LfwPair ParsePair(string[] fields, bool same, int fold, string source, int line)
    {
        if (same)
        {
            if (fields.Length != 3)
                throw Error(source, line, $"expected a same-person pair 'name n1 n2' (fold {fold + 1}), got {fields.Length} fields");
            var name = Name(fields[0], source, line);
            int n1 = Number(fields[1], source, line), n2 = Number(fields[2], source, line);
            if (n1 == n2) throw Error(source, line, $"same-person pair names image {n1} of {name} twice");
            return new LfwPair(name, n1, name, n2, true, fold, line);
        }
        if (fields.Length != 4)
            throw Error(source, line, $"expected a different-person pair 'name1 n1 name2 n2' (fold {fold + 1}), got {fields.Length} fields");
        var name1 = Name(fields[0], source, line);
        var name2 = Name(fields[2], source, line);
        if (name1 == name2) throw Error(source, line, $"different-person pair names {name1} twice");
        return new LfwPair(name1, Number(fields[1], source, line), name2, Number(fields[3], source, line), false, fold, line);
    }

    private static string Name(string field, string source, int line)
    {
        if (field is "." or ".." || field.IndexOfAny(['/', '\\', '\0']) >= 0 || field.Any(char.IsControl))
            throw Error(source, line, $"'{Shorten(field)}' is not a person's name (a folder name without separators)");
        return field;
    }

    private static int Number(string field, string source, int line)
    {
        if (!TryPositive(field, out var n) || n > 9999)
            throw Error(source, line, $"'{Shorten(field)}' is not an image number (an integer from 1 to 9999)");
        return n;
    }

    private static bool TryPositive(string field, out int value) =>
        int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;

    private static string[] Fields(string line) => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Shorten(string text) => (text.Length <= 60 ? text : text[..60] + "...").ReplaceLineEndings(" ");

    private static MarginFaceException Error(string source, int line, string problem) => new($"{source}:{line}: {problem.ReplaceLineEndings(" ")}");
}
