using MarginFace.Galleries;
using MarginFace.Imaging;
using MarginFace.Pipeline;

namespace MarginFace.FaceModels;

/// <summary>
/// Turns an aligned face crop into an embedding: what enrolment and identification need from a face model.
/// <see cref="Template"/> is the crop the model was trained on; <see cref="ModelId"/> identifies the model so that a
/// <see cref="FaceGallery"/> never mixes embeddings of two models.
/// </summary>
public interface IFaceEmbedder : IDisposable
{
    /// <summary>Identifies the model's weights, so a gallery never mixes embeddings of two models.</summary>
    string ModelId { get; }

    /// <summary>The alignment the model expects its crops in.</summary>
    AlignmentTemplate Template { get; }

    /// <summary>The embedding of a crop of <see cref="Template"/>'s size.</summary>
    float[] Embed(RgbImage alignedFace);
}
