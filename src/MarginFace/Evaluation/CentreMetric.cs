namespace MarginFace.Evaluation;

/// <summary>How <see cref="FeatureGeometry.NearestCentre"/> compares an embedding with the class centres.</summary>
internal enum CentreMetric
{
    /// <summary>Centres are the normalised means of the normalised training embeddings; the nearest centre has the largest cosine.</summary>
    Cosine,

    /// <summary>Centres are the plain means of the training embeddings; the nearest centre has the smallest Euclidean distance.</summary>
    Euclidean,
}
