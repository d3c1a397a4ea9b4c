namespace MarginFace.Evaluation;

/// <summary>
/// One pair of an InsightFace <c>.bin</c> verification set: its two images as encoded (JPEG, usually aligned 112×112 crops)
/// and whether they show the same person. The images are slices of the file read by <see cref="VerificationBin.Read"/>.
/// </summary>
public sealed record VerificationBinPair(ReadOnlyMemory<byte> First, ReadOnlyMemory<byte> Second, bool Same);
