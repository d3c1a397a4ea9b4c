using MarginFace.Imaging;

namespace MarginFace.Data;

/// <summary>
/// The images a training batch source streams, by index 0..<see cref="Count"/>−1: each one's class label, a name for messages
/// and caches, and its decoded pixels. An identity folder (<see cref="IdentityFolderDataset"/>) and InsightFace's RecordIO
/// (<see cref="RecordIoImageSet"/>) are both one, so <see cref="ImageFolderBatchSource"/> gives them the same shuffle, crops,
/// augmentation, resume and determinism. Reads must be thread-safe (the source decodes on several threads).
/// </summary>
public interface IFaceImageSet
{
    /// <summary>Where the images come from (a folder or a <c>.rec</c> file), for messages.</summary>
    string Root { get; }

    /// <summary>Identity names; the index is the label.</summary>
    IReadOnlyList<string> Identities { get; }

    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>The class label (0..<see cref="Identities"/>.Count−1) of image <paramref name="index"/>.</summary>
    int Label(int index);

    /// <summary>
    /// Image <paramref name="index"/>'s name, unique among the images of the process: its file, or the <c>.rec</c> and record key.
    /// Unreadable images are reported under it and <see cref="FaceCropCache"/> keys its faces by it.
    /// </summary>
    string Name(int index);

    /// <summary>Image <paramref name="index"/>, decoded; a <see cref="MarginFaceException"/> starting with <see cref="Name"/> when it cannot be.</summary>
    RgbImage Read(int index);
}
