using System.Text.Json;
using MarginFace.Imaging;
using MarginFace.Runtime;

namespace MarginFace.Data;

/// <summary>
/// A face dataset laid out as <c>DIR/&lt;identity&gt;/&lt;image&gt;</c>. Identities and their images are sorted by ordinal
/// (culture-invariant) name, so label k is the k-th kept identity on every machine. Hidden entries (a leading '.') and files
/// whose extension is not in <see cref="ImageFile.Extensions"/> are ignored; files directly under DIR are ignored.
/// </summary>
public sealed class IdentityFolderDataset : IFaceImageSet
{
    private IdentityFolderDataset(string root, IReadOnlyList<string> identities, IReadOnlyList<FaceSample> samples)
    {
        Root = root;
        Identities = identities;
        Samples = samples;
    }

    /// <summary>The folder scanned.</summary>
    public string Root { get; }

    /// <summary>Identity names; the index is the label.</summary>
    public IReadOnlyList<string> Identities { get; }

    /// <summary>Every kept image, by label then file name.</summary>
    public IReadOnlyList<FaceSample> Samples { get; }

    /// <summary>Number of identities; class id i is <see cref="Identities"/>[i].</summary>
    public int ClassCount => Identities.Count;

    /// <summary>Number of images (<see cref="Samples"/>).</summary>
    public int Count => Samples.Count;

    /// <inheritdoc/>
    public int Label(int index) => Samples[index].Label;

    /// <summary>The file of image <paramref name="index"/>.</summary>
    public string Name(int index) => Samples[index].Path;

    /// <summary>Image <paramref name="index"/>'s file, decoded by <see cref="ImageFile.Read"/>.</summary>
    public RgbImage Read(int index) => ImageFile.Read(Samples[index].Path);

    /// <summary>Scans <paramref name="directory"/>; every problem is a one-line <see cref="MarginFaceException"/> naming it.</summary>
    public static IdentityFolderDataset Scan(string directory, IdentityFolderOptions? options = null)
    {
        options ??= new IdentityFolderOptions();
        if (options.MinImages < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MinImages, "MinImages must be at least 1.");
        if (!Directory.Exists(directory)) throw new MarginFaceException($"{directory}: folder not found");
        var folders = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        try
        {
            foreach (var folder in Directory.EnumerateDirectories(directory))
            {
                var name = Path.GetFileName(folder);
                if (name.StartsWith('.')) continue;
                var images = Directory.EnumerateFiles(folder)
                    .Where(f => !Path.GetFileName(f).StartsWith('.') && ImageFile.IsImagePath(f))
                    .Order(StringComparer.Ordinal)
                    .ToArray();
                if (images.Length > 0) folders.Add(name, images);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{directory}: cannot list the folder ({e.Message.ReplaceLineEndings(" ")})");
        }
        if (folders.Count == 0)
            throw new MarginFaceException(
                $"{directory}: no identity folder with images (expected {directory}/<identity>/<image> with one of {string.Join(", ", ImageFile.Extensions.Order(StringComparer.Ordinal))})");

        IEnumerable<string> kept = folders.Keys;
        if (options.Include is { } include)
        {
            var unknown = include.Where(n => !folders.ContainsKey(n)).Distinct(StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
                throw new MarginFaceException(
                    $"{options.IncludeSource}: {unknown.Count} {(unknown.Count == 1 ? "identity is" : "identities are")} not a folder of {directory} with images: {Names(unknown)}");
            var wanted = include.ToHashSet(StringComparer.Ordinal);
            kept = kept.Where(wanted.Contains);
        }
        if (options.Exclude is { } exclude)
        {
            var unwanted = exclude.ToHashSet(StringComparer.Ordinal);
            kept = kept.Where(n => !unwanted.Contains(n));
        }
        var identities = kept.Where(n => folders[n].Length >= options.MinImages).ToArray();
        if (identities.Length == 0)
            throw new MarginFaceException($"{directory}: no identity is left with at least {options.MinImages} image{(options.MinImages == 1 ? "" : "s")} (of {folders.Count} identity folders)");
        if (identities.Length == 1)
            throw new MarginFaceException($"{directory}: only one identity ({identities[0]}) is left; training needs at least two");
        var samples = new List<FaceSample>();
        for (int label = 0; label < identities.Length; label++)
            samples.AddRange(folders[identities[label]].Select(path => new FaceSample(path, label)));
        return new IdentityFolderDataset(directory, identities, samples);
    }

    /// <summary>
    /// Reads every image's header (<see cref="ImageFile.ReadSize"/>) before training: each file that cannot be read is passed
    /// once to <paramref name="warning"/> (path, problem) and left out. Throws when no image is readable or more than
    /// <paramref name="maxBadFraction"/> of them are not. Labels and identities stay as they are. Files whose header is fine
    /// but whose pixels are truncated are caught later, when they are decoded.
    /// </summary>
    public IdentityFolderDataset WithoutUnreadableHeaders(Action<string, string>? warning = null, double maxBadFraction = 0.01)
    {
        var good = new List<FaceSample>(Samples.Count);
        var bad = new List<(string Path, string Problem)>();
        foreach (var sample in Samples)
        {
            try
            {
                ImageFile.ReadSize(sample.Path);
                good.Add(sample);
            }
            catch (MarginFaceException e)
            {
                var problem = Problem(e.Message, sample.Path);
                bad.Add((sample.Path, problem));
                warning?.Invoke(sample.Path, problem);
            }
        }
        if (good.Count == 0)
            throw new MarginFaceException($"{Root}: no readable image among {Samples.Count} files (first: {bad[0].Path}: {bad[0].Problem})");
        if (bad.Count > maxBadFraction * Samples.Count)
            throw new MarginFaceException(
                $"{Root}: {bad.Count} of {Samples.Count} images are unreadable, more than {(maxBadFraction * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}% (first: {bad[0].Path}: {bad[0].Problem})");
        return bad.Count == 0 ? this : new IdentityFolderDataset(Root, Identities, good);
    }

    /// <summary>The problem part of a "path: problem" message.</summary>
    internal static string Problem(string message, string path) =>
        message.StartsWith(path + ": ", StringComparison.Ordinal) ? message[(path.Length + 2)..] : message;

    /// <summary>
    /// Reads an identity list: one name per line, surrounding whitespace trimmed, blank lines and lines starting with '#'
    /// skipped.
    /// </summary>
    public static IReadOnlyList<string> ReadIdentityList(string path)
    {
        string[] lines;
        try
        {
            if (!File.Exists(path)) throw new MarginFaceException($"{path}: file not found");
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{path}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
        return lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
    }

    /// <summary>Writes <c>classes.json</c>: a JSON object mapping each identity name to its label, in label order (atomic).</summary>
    internal void WriteClasses(string path) => WriteClasses(path, Identities);

    /// <summary>Writes <c>classes.json</c> for <paramref name="identities"/> (label = index; atomic).</summary>
    internal static void WriteClasses(string path, IReadOnlyList<string> identities)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            for (int label = 0; label < identities.Count; label++) writer.WriteNumber(identities[label], label);
            writer.WriteEndObject();
        }
        AtomicFile.WriteAllBytes(path, stream.ToArray());
    }

    /// <summary>Reads a <c>classes.json</c> written by <see cref="WriteClasses(string, IReadOnlyList{string})"/>; the labels must be 0..C−1, each once.</summary>
    internal static IReadOnlyList<string> ReadClasses(string path)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path)) throw new MarginFaceException($"{path}: file not found");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MarginFaceException($"{path}: cannot read ({e.Message.ReplaceLineEndings(" ")})");
        }
        var pairs = new List<(string Name, int Label)>();
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new MarginFaceException($"{path}: not an identity list (expected a JSON object of name → label)");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out var label))
                    throw new MarginFaceException($"{path}: the label of '{property.Name}' is not an integer");
                pairs.Add((property.Name, label));
            }
        }
        catch (JsonException e)
        {
            throw new MarginFaceException($"{path}: not valid JSON ({e.Message.ReplaceLineEndings(" ")})");
        }
        if (pairs.Count < 2) throw new MarginFaceException($"{path}: an identity list needs at least two identities, found {pairs.Count}");
        var names = new string?[pairs.Count];
        foreach (var (name, label) in pairs)
        {
            if (label < 0 || label >= pairs.Count)
                throw new MarginFaceException($"{path}: label {label} of '{name}' is outside 0..{pairs.Count - 1}");
            if (names[label] is { } other) throw new MarginFaceException($"{path}: label {label} is given to both '{other}' and '{name}'");
            names[label] = name;
        }
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new MarginFaceException($"{path}: an identity name appears twice");
        return names!;
    }

    /// <summary>
    /// Throws unless this dataset's identities are exactly <paramref name="saved"/> in the same order (a resumed run must see
    /// the labels it was trained with); the message names the first difference.
    /// </summary>
    internal void EnsureSameIdentities(IReadOnlyList<string> saved, string savedPath) => EnsureSameIdentities(this, saved, savedPath);

    /// <summary>As the instance method, for any image set (a resumed RecordIO run too).</summary>
    internal static void EnsureSameIdentities(IFaceImageSet images, IReadOnlyList<string> saved, string savedPath)
    {
        var (root, identities) = (images.Root, images.Identities);
        for (int label = 0; label < Math.Min(saved.Count, identities.Count); label++)
        {
            if (string.Equals(saved[label], identities[label], StringComparison.Ordinal)) continue;
            throw new MarginFaceException(
                $"{root}: its identities differ from {savedPath} at label {label}: the folder has '{identities[label]}', the saved list '{saved[label]}'");
        }
        if (saved.Count != identities.Count)
        {
            var (more, first) = saved.Count > identities.Count ? ("the saved list", saved[identities.Count]) : ("the folder", identities[saved.Count]);
            throw new MarginFaceException(
                $"{root}: has {identities.Count} identities, {savedPath} {saved.Count}; {more} goes on with '{first}' at label {Math.Min(saved.Count, identities.Count)}");
        }
    }

    private static string Names(IReadOnlyList<string> names)
    {
        var shown = string.Join(", ", names.Take(5));
        return names.Count > 5 ? $"{shown}, … ({names.Count - 5} more)" : shown;
    }
}
