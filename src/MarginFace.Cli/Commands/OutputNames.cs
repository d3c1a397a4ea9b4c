namespace MarginFace.Cli.Commands;

/// <summary>
/// Output names for commands that write one file per input (<c>align</c>, <c>detect --draw</c>): each input keeps its path
/// relative to the deepest folder holding all the inputs, so <c>a/face.jpg</c> and <c>b/face.jpg</c> become <c>OUT/a/face.png</c>
/// and <c>OUT/b/face.png</c> instead of one overwriting the other; inputs of one folder keep plain file names. Names that would
/// still meet (<c>face.jpg</c> beside <c>face.png</c>), or an output that is one of the inputs, are found before anything is
/// written.
/// </summary>
internal static class OutputNames
{
    private static readonly StringComparer PathComparer =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>Each distinct input (as given) and its name without extension, relative to the inputs' common folder.</summary>
    public static Dictionary<string, string> Stems(IReadOnlyList<string> inputs)
    {
        var full = inputs.Distinct().ToDictionary(p => p, Path.GetFullPath);
        var root = CommonFolder(full.Values.Select(p => Path.GetDirectoryName(p)!).ToList());
        return full.ToDictionary(p => p.Key, p =>
        {
            var relative = Path.GetRelativePath(root, p.Value);
            return Path.Combine(Path.GetDirectoryName(relative) ?? "", Path.GetFileNameWithoutExtension(relative));
        });
    }

    /// <summary>
    /// A one-line description of the first clash among the <paramref name="outputs"/> of distinct inputs (two inputs, one
    /// output; or an output that is an input), or null when every output is its own.
    /// </summary>
    public static string? FindClash(IReadOnlyDictionary<string, string> outputs, string option)
    {
        var inputs = new HashSet<string>(outputs.Keys.Select(Path.GetFullPath), PathComparer);
        var owners = new Dictionary<string, string>(PathComparer);
        var byInput = new Dictionary<string, string>(PathComparer);
        foreach (var (input, output) in outputs)
        {
            var fullInput = Path.GetFullPath(input);
            var target = Path.GetFullPath(output);
            if (byInput.ContainsKey(fullInput)) continue;
            byInput[fullInput] = target;
            if (inputs.Contains(target)) return $"{option}: {output} would overwrite the input {input}; nothing was written";
            if (owners.TryGetValue(target, out var other))
                return $"{option}: {other} and {input} would both be written to {output}; nothing was written (rename one, or run them separately)";
            owners[target] = input;
        }
        return null;
    }

    private static string CommonFolder(IReadOnlyList<string> folders)
    {
        var separators = new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar };
        var common = folders[0].Split(separators);
        var length = common.Length;
        foreach (var folder in folders.Skip(1))
        {
            var parts = folder.Split(separators);
            var same = 0;
            while (same < Math.Min(length, parts.Length) && PathComparer.Equals(common[same], parts[same])) same++;
            length = same;
        }
        var joined = string.Join(Path.DirectorySeparatorChar, common.Take(length));
        return joined.Length == 0 ? Path.GetPathRoot(folders[0])! : joined;
    }
}
