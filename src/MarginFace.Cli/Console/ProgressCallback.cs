using MarginFace.Training;

namespace MarginFace.Cli.Console;

/// <summary>Reports training steps to a progress display: position in epochs, loss and images/s.</summary>
internal sealed class ProgressCallback(Action<double, string> report) : ITrainingCallback
{
    public void OnStep(TrainingProgress p) =>
        report(p.Epoch - 1 + (double)p.Step / p.StepsPerEpoch, $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:0.000} {p.SamplesPerSecond:0} img/s");
}
