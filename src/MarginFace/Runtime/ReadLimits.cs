namespace MarginFace.Runtime;

/// <summary>
/// Every budget MarginFace's file readers enforce (models, checkpoints, PyTorch archives, ONNX metadata, images, pairs,
/// scores, embeddings, settings and gallery files), in one place, each with the reason for its value. A reader
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

    // The budgets of the other readers: images, text files of pairs, scores and embeddings, settings, galleries, face-api weights.

    /// <summary>UnseenPeople: more pairs than this (a person with thousands of images) are refused before they are listed.</summary>
    public const long MaxUnseenPairs = 1_000_000;

    /// <summary>LfwPairs: larger pairs files are refused before reading (the official one is 155 KB).</summary>
    public const long MaxPairsFileBytes = 256L << 20;

    /// <summary>LfwPairs: longest line read: a pair of two names and two numbers is far shorter; a runaway line is refused before it is held.</summary>
    public const int MaxPairsLineLength = 4096;

    /// <summary>EmbeddingsFile: longer embeddings are refused (face models give 128–2048 values).</summary>
    public const int MaxEmbeddingsFileDimension = 65536;

    /// <summary>EmbeddingsFile: a line may hold the image path and <see cref="MaxEmbeddingsFileDimension"/> values written at length; longer lines are refused unread.</summary>
    public const int MaxEmbeddingsLineLength = 4096 + MaxEmbeddingsFileDimension * 32;

    /// <summary>ScoresFile: longest line read: two names, two numbers and a score are far shorter; a runaway line is refused before it is held.</summary>
    public const int MaxScoresLineLength = 4096;

    /// <summary>
    /// ImageFile: the largest image decoded: 64 megapixels (an 8000×8000 photo, beyond any camera a face set comes from). Skia decodes into
    /// 4 bytes a pixel, so this caps one decode at 256 MiB; a header claiming more (a few bytes can claim 65535×65535) is refused
    /// before anything is allocated.
    /// </summary>
    public const long MaxImagePixels = 64L * 1024 * 1024;

    /// <summary>
    /// ImageFile: the largest file read: 320 MiB. The largest image allowed is 256 MiB as an uncompressed 32-bit BMP (64 megapixels × 4
    /// bytes); a bigger file cannot hold an image that may be decoded, and is not read into memory to find that out.
    /// </summary>
    public const long MaxImageFileBytes = 320L * 1024 * 1024;

    /// <summary>JsonConfig: largest settings file read: real ones are a few hundred bytes; anything near this is not a settings file.</summary>
    public const long MaxSettingsFileBytes = 1L << 20;

    /// <summary>TorchArchive: deflate expands at most about 1032:1; a declared size beyond this ratio is a lie.</summary>
    public const long MaxArchiveExpansion = 1100;

    /// <summary>TfjsWeightManifest: most elements one face-api weight may declare, 2^28 floats = 1 GiB; face-api's largest weight is 128 × 256 × 3 × 3.</summary>
    public const long MaxTfjsElements = 1L << 28;

    /// <summary>FaceGallery: longest allowed name, in UTF-16 characters.</summary>
    public const int MaxGalleryNameLength = 256;

    /// <summary>
    /// FaceGallery: widest embedding a gallery holds: far above any face model's (128 to 2048), low enough that a damaged or edited
    /// <c>dimension</c> cannot ask for gigabytes before the first embedding is read.
    /// </summary>
    public const int MaxGalleryDimension = 65536;

    /// <summary>
    /// GallerySearchEngine: most keys a persisted HNSW index may list (16 bytes each in its <c>.keys</c> file, checked against the
    /// file's size before it is read): 2^28 is 2.7× the 100 million faces of docs/scale.md on one machine, 4 GiB of keys.
    /// </summary>
    public const long MaxGalleryIndexKeys = 1L << 28;

    /// <summary>HnswStamp: largest index stamp read; a real one is about 400 bytes of JSON.</summary>
    public const int MaxGalleryIndexStampBytes = 64 * 1024;

    /// <summary>GalleryImportFile: longest line read: a 65,536-value embedding written with full float precision fits; a runaway line is not held in memory.</summary>
    public const int MaxGalleryImportLineLength = 1 << 21;

    /// <summary>
    /// RecordIoDataset: the largest record (all its parts joined) read. InsightFace's records are 112×112 JPEGs of 3–10 KB
    /// behind a 24-byte header; 64 MiB holds an uncompressed 4096×4096 RGBA image, and a damaged length cannot make one read
    /// allocate more.
    /// </summary>
    public const int MaxRecordIoRecordBytes = 64 << 20;

    /// <summary>
    /// RecordIoDataset: most records an index may list. WebFace42M, the largest public set, holds 42 million images; 2^27
    /// (134 million) is 3× that while the offsets held in memory stay at 1 GiB.
    /// </summary>
    public const int MaxRecordIoRecords = 1 << 27;

    /// <summary>RecordIoDataset: longest <c>.idx</c> line read: <c>key\toffset</c> is two numbers (under 40 characters); a runaway line is refused unheld.</summary>
    public const int MaxRecordIoIndexLineLength = 256;

    /// <summary>RecordIoDataset: largest <c>property</c> file read: it holds <c>num_classes,height,width</c>, a few bytes.</summary>
    public const long MaxRecordIoPropertyBytes = 4096;

    /// <summary>
    /// VerificationBin: the largest InsightFace <c>.bin</c> verification set read (it is read whole: the images are slices of it).
    /// The standard ones are 50–200 MB (lfw.bin 12 000 JPEGs of 112×112 ≈ 60 MB, cfp_ff.bin 14 000); 1 GiB is 5× the largest,
    /// and one .NET array cannot hold more than 2 GiB anyway.
    /// </summary>
    public const long MaxVerificationBinBytes = 1L << 30;

    /// <summary>
    /// VerificationBin: most objects and container slots its pickle may build (each image and flag is a push, a memo entry and a
    /// list slot, ~3 each). The largest standard set has 7 000 pairs (≈ 63 000); 4 Mi is enough for a million pairs and caps
    /// the bookkeeping at a few hundred MB, so a few KB of hostile opcodes cannot build millions of containers.
    /// </summary>
    public const int MaxVerificationBinObjects = 1 << 22;

    /// <summary>
    /// VerificationBin: most bytes of text (GLOBAL names, NumPy dtype codes, the latin-1 text Python 3 writes for bytes at
    /// protocol 2) its pickle may decode into new memory. Bytes objects are slices of the file and cost nothing; text is copied,
    /// and only a Python 3 protocol-2 file holds its JPEGs as text (then about 1.5× their size), so 2 GiB bounds it by twice the file.
    /// </summary>
    public const long MaxVerificationBinTextBytes = 2L * MaxVerificationBinBytes;

    /// <summary>VerificationBin: deepest nesting of MARKs: the file's pickle nests 2 (the tuple and a list); 64 is far beyond.</summary>
    public const int MaxVerificationBinNesting = 64;
}
