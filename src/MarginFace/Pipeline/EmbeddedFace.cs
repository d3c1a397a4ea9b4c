namespace MarginFace.Pipeline;

/// <summary>One face of a photo as <see cref="FacePipeline.EmbedFaces(string)"/> gives it: where the detector found it, and its embedding.</summary>
public sealed record EmbeddedFace(DetectedFace Face, float[] Embedding);
