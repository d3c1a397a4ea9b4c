using System.CommandLine;
using MarginFace.FaceModels;
using MarginFace.Galleries;

namespace MarginFace.Cli.Commands.Gallery;

/// <summary>
/// The face model of <c>enroll</c> and <c>identify</c>: <c>--model</c> when given; else the model the gallery remembers
/// (<see cref="FaceGallery.ModelReference"/>, written by its first enrolment); else, for a new or empty gallery, <c>pretrained</c>;
/// and for a gallery enrolled before galleries remembered their model, <c>pretrained</c> when its model id matches. Whichever it
/// is, the model id must be the gallery's (<see cref="Check"/>).
/// </summary>
internal sealed class GalleryModel
{
    private readonly IFaceGallery? store;
    private readonly bool guessed;

    private GalleryModel(FaceModelRequest request, IFaceGallery? store, bool guessed)
    {
        Request = request;
        this.store = store;
        this.guessed = guessed;
    }

    /// <summary>What to open.</summary>
    public FaceModelRequest Request { get; }

    /// <summary>What the gallery is to remember of the model (the request's path made full).</summary>
    public FaceModelReference Reference => FaceModelReference.Of(Request.Path, Request.Convention);

    /// <summary>The model for <paramref name="store"/> (null: no gallery file yet); a remembered file that is gone is a one-line error asking for <c>--model</c>.</summary>
    public static GalleryModel Resolve(ParseResult parse, Option<string?> model, FaceModelOptions models, IFaceGallery? store, int threads)
    {
        if (parse.GetValue(model) is { } given) return new(models.Request(parse, given, threads), store, false);
        if (store?.ModelReference is { } remembered)
        {
            if (!remembered.IsPretrained && !File.Exists(remembered.Path))
                throw new MarginFaceException(
                    $"{store.Path}: the gallery's model {remembered.Path} no longer exists; pass --model with that model (or a copy of it: model id {store.ModelId})");
            return new(models.Request(parse, remembered, threads), store, false);
        }
        return new(models.Request(parse, FaceModelOptions.Default, threads), store, store?.ModelId is not null);
    }

    /// <summary>Refuses an embedder whose model id is not the gallery's (the embeddings would not be comparable).</summary>
    public void Check(IFaceEmbedder embedder)
    {
        if (store?.ModelId is not { } stored || stored == embedder.ModelId) return;
        throw new MarginFaceException(guessed
            ? $"{store.Path}: the gallery does not say which model made it (model id '{stored}', not the pretrained model's); pass --model with that model"
            : $"{store.Path}: gallery holds embeddings of model '{stored}', not '{embedder.ModelId}'");
    }
}
