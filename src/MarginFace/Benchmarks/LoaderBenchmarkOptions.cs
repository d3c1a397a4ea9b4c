using TorchSharp;

namespace MarginFace.Benchmarks;

/// <summary>
/// Settings of the loader suite: the identity folder of images, the network whose input the images are prepared for, the
/// crop and augmentation, the worker counts, how many images each timed run reads, and the training run beside the loader.
/// </summary>
internal sealed record LoaderBenchmarkOptions
{
    /// <summary>Identity folder <c>DIR/&lt;identity&gt;/&lt;image&gt;</c> (LFW deep-funneled by default in the CLI).</summary>
    public required string Images { get; init; }

    /// <summary>Decoding thread counts, one case each (alone, and while training).</summary>
    public IReadOnlyList<int> Workers { get; init; } = [1, 2];

    /// <summary>The backbone whose input size, channels and normalisation the loader produces, and that trains beside it.</summary>
    public string Network { get; init; } = "mobilefacenet";

    /// <summary>Images per batch.</summary>
    public int Batch { get; init; } = 32;

    /// <summary>Crop before resizing (<see cref="Data.FaceCrop.Parse"/>): LFW deep-funneled faces fill the centre 150×150.</summary>
    public string Crop { get; init; } = "center:150";

    /// <summary>Augmentation of every image: flip, resize to 128 then random 112 crop, brightness and contrast ±0.2.</summary>
    public Data.FaceAugmentation Augmentation { get; init; } = new(Flip: true, ResizeTo: 128, Brightness: 0.2, Contrast: 0.2);

    /// <summary>Images read by each timed run (whole batches).</summary>
    public int ImagesPerRun { get; init; } = 1024;

    /// <summary>Untimed runs of one batch per worker before the timed ones.</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>Timed runs per case.</summary>
    public int Repeats { get; init; } = 3;

    /// <summary>Also time every case on the same images packed as InsightFace's RecordIO (<see cref="Data.RecordIoWriter.Pack(Data.IdentityFolderDataset, string)"/>, into a temporary folder removed afterwards).</summary>
    public bool RecordIo { get; init; }

    /// <summary>Also time every worker count while <see cref="Training"/> runs in the same process.</summary>
    public bool WhileTraining { get; init; } = true;

    /// <summary>The training loop run beside the loader (its network is <see cref="Network"/>).</summary>
    public TrainBenchmarkOptions Training { get; init; } = new();

    public int Seed { get; init; }

    /// <summary>Device of the training beside the loader; null: the CPU.</summary>
    public torch.Device? Device { get; init; }
}
