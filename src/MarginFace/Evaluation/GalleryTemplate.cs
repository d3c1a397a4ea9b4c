namespace MarginFace.Evaluation;

/// <summary>How <see cref="IdentificationProtocol"/> compares a probe with a gallery identity.</summary>
public enum GalleryTemplate
{
    /// <summary>Cosine with the mean of the identity's L2-normalised gallery embeddings (renormalised): one template per identity.</summary>
    Mean,

    /// <summary>The highest cosine with any one of the identity's gallery images (nearest neighbour).</summary>
    Nearest,
}
