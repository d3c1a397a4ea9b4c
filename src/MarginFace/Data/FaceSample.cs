namespace MarginFace.Data;

/// <summary>One image of an identity folder: its file and the identity's label (0..C−1).</summary>
public sealed record FaceSample(string Path, int Label);
