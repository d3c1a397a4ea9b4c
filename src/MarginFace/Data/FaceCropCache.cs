using System.Collections.Concurrent;
using MarginFace.Imaging;

namespace MarginFace.Data;

/// <summary>
/// Remembers the cropped face of every image file it is asked for, keyed by the crop's text (<see cref="FaceCrop.ToString"/>)
/// and the file's full path, so that training reads, decodes, detects and aligns each file once rather than once per epoch, and
/// an evaluation after it (the LFW protocol's folds) finds the faces already cropped. A file that cannot be read or cropped is
/// remembered with its error, which every later request throws again. Memory: the crops' pixels, W·H·3 bytes each (37,632 for a
/// 112×112 face), with no bound: for data sets that fit in memory. Crops that print the same must crop the same, and the files
/// must not change while the cache lives. The images handed out are shared: read them, never write their pixels.
/// </summary>
public sealed class FaceCropCache
{
    private readonly ConcurrentDictionary<(string Crop, string Path), Lazy<RgbImage>> _faces = new();

    /// <summary>The faces (and remembered failures) held.</summary>
    public int Count => _faces.Count;

    /// <summary>Files read and cropped so far, failures included: each one once.</summary>
    public int Misses => _misses;

    private int _misses;

    /// <summary>The face that <paramref name="crop"/> cuts from the image file at <paramref name="path"/>, cropped on first request.</summary>
    internal RgbImage Get(FaceCrop crop, string path) => Get(crop, path, () => ImageFile.Read(path));

    /// <summary>
    /// The face that <paramref name="crop"/> cuts from the image named <paramref name="name"/> (a file, or a <c>.rec</c> and
    /// record key; keyed by its full path), read by <paramref name="read"/> on first request.
    /// </summary>
    internal RgbImage Get(FaceCrop crop, string name, Func<RgbImage> read)
    {
        ArgumentNullException.ThrowIfNull(crop);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(read);
        var key = (crop.ToString() ?? crop.GetType().Name, Path.GetFullPath(name));
        return _faces.GetOrAdd(key, k => new Lazy<RgbImage>(() =>
        {
            Interlocked.Increment(ref _misses);
            return crop.Apply(read());
        }, LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }
}
