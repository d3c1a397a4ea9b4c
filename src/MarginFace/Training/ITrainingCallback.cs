namespace MarginFace.Training;

/// <summary>Hooks a <see cref="Trainer"/> calls during training (progress display, plots per epoch, logging).</summary>
public interface ITrainingCallback
{
    void OnStep(TrainingProgress progress) { }

    void OnEpochEnd(EpochResult result) { }

    /// <summary>A checkpoint was written (end of epoch, or an interrupted run).</summary>
    void OnCheckpoint(string path) { }
}
