namespace MarginFace.Training;

/// <summary>Runs an action at the end of every epoch, then passes every event on to an inner callback (e.g. a progress display).</summary>
internal sealed class EpochEndCallback(ITrainingCallback? inner, Action<EpochResult> onEpoch) : ITrainingCallback
{
    public void OnStep(TrainingProgress progress) => inner?.OnStep(progress);

    public void OnEpochEnd(EpochResult result)
    {
        onEpoch(result);
        inner?.OnEpochEnd(result);
    }

    public void OnCheckpoint(string path) => inner?.OnCheckpoint(path);
}
