namespace MarginFace.Training;

/// <summary>Hooks a <see cref="Trainer"/> calls during training (progress display, plots per epoch, logging).</summary>
public interface ITrainingCallback
{
    /// <summary>After every step, with the running loss and throughput.</summary>
    void OnStep(TrainingProgress progress) { }

    /// <summary>After every epoch, before its checkpoint is written.</summary>
    void OnEpochEnd(EpochResult result) { }

    /// <summary>A checkpoint was written (end of epoch, or an interrupted run).</summary>
    void OnCheckpoint(string path) { }
}
