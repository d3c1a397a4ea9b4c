namespace MarginFace.Runtime;

/// <summary>
/// Every budget the model and checkpoint readers enforce, in one place, each with the reason for its value. A reader
/// checks a declared size against these (and against the bytes its file still holds) before it allocates anything for
/// it, so a hostile or damaged file costs at most these amounts and ends in a one-line <see cref="MarginFaceException"/>
/// naming the file and the problem. Values are far above what any real face model needs (so a real file never trips
/// one) and far below what would exhaust a machine's memory.
/// </summary>
public static class ReadLimits
{
    /// <summary>
    /// Largest embedding a model file may declare. Face models use 128–512 (arcface_torch 512, MobileFaceNet 128); 4096 is
    /// 8× that. It also caps what a header alone can make us allocate before any weight is read: the largest layer an
    /// embedding size shapes is IResNet's fc, 25 088 × 4096 floats = 411 MB.
    /// </summary>
    public const int MaxEmbeddingSize = 4096;

    /// <summary>
    /// Largest input width or height, in pixels. Face models take 28–300 px; 1024 leaves room for detectors' sizes while one
    /// preprocessed RGB image stays at 1024² × 3 floats = 12 MB.
    /// </summary>
    public const int MaxInputSide = 1024;

    /// <summary>
    /// Largest batch axis an ONNX graph may fix: buffers are allocated for that many images at once, and exports fix 1 or
    /// leave it free; 256 is a large inference batch.
    /// </summary>
    public const int MaxFixedBatch = 256;

    /// <summary>
    /// Largest number of pixels × channels × images one preprocessed ONNX batch may hold: 64 Mi floats = 256 MB, e.g. a graph
    /// fixing its batch at 21 images of 1024² RGB; real ones (1 × 3 × 112 × 112) are 4 orders of magnitude below.
    /// </summary>
    public const long MaxBatchFloats = 64L << 20;

    /// <summary>
    /// Most dimensions a stored tensor may have. Backbones' tensors have at most 4 (convolution weights), 5 for a 3-D
    /// convolution; 8 is generous, and a rank read from a file sizes an array before anything else is checked.
    /// </summary>
    public const int MaxTensorRank = 8;

    /// <summary>Longest parameter name in a TorchSharp or PyTorch state dict, in UTF-8 bytes (real ones: under 80, e.g. <c>layer3.13.bn2.running_mean</c>).</summary>
    public const int MaxTensorNameBytes = 1024;

    /// <summary>
    /// Most tensors one module's state may list. IResNet-100 has about 1 600 (weights, biases, BatchNorm statistics and
    /// counters); 100 000 is 60× that, and the reader checks the count against the target module's anyway.
    /// </summary>
    public const int MaxStateEntries = 100_000;

    /// <summary>
    /// Largest JSON description (face model header, checkpoint state), in bytes. The largest part is the identity list:
    /// Glint360K's 360 000 names at ~20 bytes are 7 MB; 64 MiB is 9× that while the parsed object stays a few hundred MB at worst.
    /// </summary>
    public const int MaxHeaderJsonBytes = 64 << 20;

    /// <summary>
    /// Largest <c>data.pkl</c> of a <c>torch.save</c> archive. A state dict's pickle holds only names and sizes: IResNet-100's
    /// is about 60 KB; 64 MiB is 1000× that.
    /// </summary>
    public const long MaxPickleBytes = 64L << 20;

    /// <summary>
    /// Most objects and container slots a pickle may build (every push plus every item stored in a list, tuple or dict). A
    /// tensor costs about 30 (its rebuild tuple, size and stride tuples, persistent id, dict entry), so IResNet-100's 1 600
    /// tensors build ~50 000; 1 Mi is 20× that and caps the built objects at a few tens of MB. It stops pickles that copy one
    /// big list into a new dict over and over (a few KB of opcodes building millions of entries).
    /// </summary>
    public const int MaxPickleObjects = 1 << 20;

    /// <summary>
    /// Most bytes of strings a pickle may build (names of tensors and storages, the location 'cpu'): a real state dict's are
    /// under 200 KB; 16 MiB is 80× that.
    /// </summary>
    public const long MaxPickleStringBytes = 16L << 20;

    /// <summary>
    /// Deepest nesting of MARKs (open tuples, lists and dicts being built) in a pickle: <c>torch.save</c> nests at most 3;
    /// 256 is far beyond, and each open mark costs a stack entry.
    /// </summary>
    public const int MaxPickleNesting = 256;

    /// <summary>
    /// Largest total of the storages a <c>torch.save</c> archive may declare when the reader does not know its target. The
    /// largest face backbones are ~1.2 GB in float32 (ViT-L); 2 GiB holds them and is what one .NET array can hold.
    /// </summary>
    public const long MaxStorageBytes = 2L << 30;

    /// <summary>
    /// How many times its target module's parameter and buffer bytes an imported state dict may declare: the same tensors in
    /// float64 are exactly 2×; anything beyond is not a checkpoint of that module.
    /// </summary>
    public const int StorageToTargetRatio = 2;

    /// <summary>Bytes a checkpoint may declare beyond <see cref="StorageToTargetRatio"/> × its target's (extra counters, optimiser scalars saved alongside): 16 MiB.</summary>
    public const long StorageSlackBytes = 16L << 20;

    /// <summary>
    /// Longest ONNX custom-metadata value read, in characters. MarginFace writes numbers, a backbone name, a crop and a 16-digit
    /// model id (under 100 characters each); 4096 leaves room for other exporters' short notes.
    /// </summary>
    public const int MaxOnnxMetadataChars = 4096;

    /// <summary>Most ONNX custom-metadata entries read: MarginFace writes about 12; 1024 is far beyond.</summary>
    public const int MaxOnnxMetadataEntries = 1024;

    /// <summary>
    /// The storage budget for a state dict imported into a module of <paramref name="targetBytes"/> parameter and buffer bytes:
    /// min(<see cref="MaxStorageBytes"/>, <see cref="StorageToTargetRatio"/> × target + <see cref="StorageSlackBytes"/>).
    /// </summary>
    public static long StorageBudgetFor(long targetBytes) =>
        Math.Min(MaxStorageBytes, StorageToTargetRatio * Math.Max(0, targetBytes) + StorageSlackBytes);
}
