namespace MarginFace.Evaluation;

/// <summary>The embedding of one image, as <c>marginface embed</c> writes it to an <see cref="EmbeddingsFile"/>.</summary>
public sealed record ImageEmbedding(string Image, float[] Embedding);
