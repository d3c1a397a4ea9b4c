using TorchSharp.Modules;
using TorchSharp;

namespace MarginFace.Tests.Models;

/// <summary>
/// Gives freshly initialised backbones batch-norm statistics of real activations, so that eval-mode outputs are finite and
/// of order one (with the initial running mean 0 and variance 1, a deep untrained IResNet overflows float32 in eval mode).
/// </summary>
internal static class BatchNormCalibration
{
    /// <summary>One training-mode forward of <paramref name="input"/> with momentum 1, so running stats = its batch stats; then eval.</summary>
    public static void Calibrate(torch.nn.Module<torch.Tensor, torch.Tensor> module, torch.Tensor input)
    {
        var norms = module.modules().OfType<NormBase>().ToList();
        var momenta = norms.Select(n => n.momentum).ToList();
        foreach (var norm in norms) norm.momentum = 1.0;
        module.train();
        using (torch.no_grad())
        using (module.forward(input)) { }
        for (int i = 0; i < norms.Count; i++) norms[i].momentum = momenta[i];
        module.eval();
    }
}
