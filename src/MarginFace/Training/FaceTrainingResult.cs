namespace MarginFace.Training;

/// <summary>What a face-training run produced.</summary>
/// <param name="Epochs">Finished epochs (including those restored on resume).</param>
/// <param name="ValidationAccuracy">Best-threshold pair accuracy after each epoch, when validation pairs were given.</param>
/// <param name="ModelPath">The deployable model of the last epoch (<c>face.model</c>).</param>
/// <param name="BestModelPath">The model with the best validation accuracy (<c>best.model</c>), when validated.</param>
/// <param name="Classes">Identities trained on.</param>
/// <param name="Images">Training images.</param>
/// <param name="Interrupted">True when the run stopped on a signal before its last epoch.</param>
public sealed record FaceTrainingResult(
    IReadOnlyList<EpochResult> Epochs,
    IReadOnlyDictionary<int, double> ValidationAccuracy,
    string ModelPath,
    string? BestModelPath,
    int Classes,
    int Images,
    bool Interrupted);
