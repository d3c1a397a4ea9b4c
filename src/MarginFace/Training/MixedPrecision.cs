using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// Mixed-precision training of a backbone, what PyTorch's autocast and GradScaler do, built from plain casts (TorchSharp has
/// neither). The master backbone keeps float32 parameters: the optimiser updates them, checkpoints and face models save
/// them. A working copy holds them in bfloat16 or float16, except batch normalisation, whose weights and running
/// statistics stay float32 (libtorch's batch norm takes a half-precision input with float32 parameters on CPU and CUDA, as
/// autocast runs it). Each step: master → working (cast), images → half precision, the working forward, the embeddings →
/// float32 (so the head's cosines, logits, softmax and the loss are float32), the running statistics → master; after
/// backward the working gradients are cast into the master's float32 gradients. fp16 scales the loss by a
/// <see cref="GradientScaler"/> and skips a step whose unscaled gradients are not finite; bf16 has float32's range and
/// needs no scaling. Gradient clipping, when any, acts on unscaled gradients (PyTorch's unscale_-then-clip recipe).
/// On the CPU a backbone with a dense convolution of fewer than <see cref="MinimumCpuChannels"/> channels is refused: libtorch
/// 2.10's bf16/fp16 CPU convolutions compute those wrongly (docs/mixed-precision.md).
/// </summary>
public sealed class MixedPrecision : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> master;
    private readonly nn.Module<Tensor, Tensor> working;
    private readonly Parameter[] masterParameters;
    private readonly Parameter[] workingParameters;
    private readonly Tensor[] masterBuffers;
    private readonly Tensor[] workingBuffers;

    /// <summary>
    /// Fewest channels of a dense (groups 1, kernel larger than 1×1) convolution that libtorch 2.10 computes right in
    /// bf16/fp16 on the CPU: with fewer output channels the forward is wrong, with fewer input channels the input gradient
    /// (measured by <c>MixedPrecisionMeasurements</c>: relative errors 0.3–1.9 against 0.002 elsewhere). The first
    /// convolution may have fewer input channels (the image's 1 or 3): the gradient of the images is never computed.
    /// </summary>
    public const int MinimumCpuChannels = 16;

    /// <param name="master">The float32 backbone that is trained, on <paramref name="device"/>.</param>
    /// <param name="replicate">Makes a new module of the same architecture (its weights are overwritten by the master's; the global random state is left as it was).</param>
    /// <param name="precision">bf16 or fp16.</param>
    /// <param name="device">Where the backbone runs.</param>
    /// <param name="scaler">fp16's loss scaler (null: PyTorch's defaults); must be null for bf16.</param>
    public MixedPrecision(nn.Module<Tensor, Tensor> master, Func<nn.Module<Tensor, Tensor>> replicate, TrainingPrecision precision, Device device, GradientScaler? scaler = null)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(replicate);
        if (precision is not (TrainingPrecision.Bf16 or TrainingPrecision.Fp16))
            throw new ArgumentException($"mixed precision is bf16 or fp16, not {precision}.", nameof(precision));
        if (precision == TrainingPrecision.Bf16 && scaler is not null) throw new ArgumentException("bf16 trains without loss scaling.", nameof(scaler));
        Precision = precision;
        ComputeType = precision == TrainingPrecision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float16;
        Scaler = precision == TrainingPrecision.Fp16 ? scaler ?? new GradientScaler() : null;
        this.master = master;
        masterParameters = [.. master.parameters()];
        masterBuffers = [.. master.buffers()];
        if (masterParameters.Any(p => p.dtype != ScalarType.Float32))
            throw new ArgumentException("the master backbone's parameters must be float32.", nameof(master));
        if (device.type == DeviceType.CPU) CheckCpuConvolutions(master);
        using var rng = torch.get_rng_state();
        working = replicate();
        torch.set_rng_state(rng);
        try
        {
            working.to(device).to(ComputeType);
            foreach (var module in working.modules())
                if (module is BatchNorm norm) norm.to(ScalarType.Float32);
            workingParameters = [.. working.parameters()];
            workingBuffers = [.. working.buffers()];
            if (!SameShapes(masterParameters, workingParameters) || !SameShapes(masterBuffers, workingBuffers))
                throw new ArgumentException("replicate made a module whose parameters or buffers differ from the master's.", nameof(replicate));
        }
        catch
        {
            working.Dispose();
            throw;
        }
    }

    /// <summary>bf16 or fp16.</summary>
    public TrainingPrecision Precision { get; }

    /// <summary>The float32 backbone this copy computes for.</summary>
    public nn.Module<Tensor, Tensor> Master => master;

    /// <summary>The working copy's dtype (BFloat16 or Float16).</summary>
    public ScalarType ComputeType { get; }

    /// <summary>fp16's loss scaler; null for bf16.</summary>
    public GradientScaler? Scaler { get; }

    /// <summary>Optimiser steps skipped because the fp16 gradients were not finite.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>The working copy's parameters (half precision except batch norm's), for tests and inspection.</summary>
    internal IReadOnlyList<Parameter> WorkingParameters => workingParameters;

    /// <summary>Float32 embeddings of float32 <paramref name="images"/>, computed by the half-precision working copy of the master's current weights.</summary>
    public Tensor Forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using (no_grad())
        {
            for (var i = 0; i < masterParameters.Length; i++) workingParameters[i].copy_(masterParameters[i]);
            for (var i = 0; i < masterBuffers.Length; i++) workingBuffers[i].copy_(masterBuffers[i]);
        }
        working.train(master.training);
        using var input = images.to(ComputeType);
        using var output = working.forward(input);
        using (no_grad())
            for (var i = 0; i < masterBuffers.Length; i++) masterBuffers[i].copy_(workingBuffers[i]);
        return output.to(ScalarType.Float32);
    }

    /// <summary>
    /// Backward of <paramref name="loss"/> (times the scale for fp16) through the working copy, then its gradients cast into the
    /// master's float32 gradients (replacing them) and cleared.
    /// </summary>
    public void Backward(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (Scaler is null) loss.backward();
        else
        {
            using var scaled = Scaler.ScaleLoss(loss);
            scaled.backward();
        }
        using var noGrad = no_grad();
        for (var i = 0; i < masterParameters.Length; i++)
        {
            using var gradient = workingParameters[i].grad;
            if (gradient is null) continue;
            using var current = masterParameters[i].grad;
            if (current is null)
            {
                using var copy = gradient.to(ScalarType.Float32, copy: true);
                masterParameters[i].grad = copy;
            }
            else current.copy_(gradient);
            workingParameters[i].grad = null;
        }
    }

    /// <summary>
    /// fp16: unscales the gradients of <paramref name="parameters"/> (every parameter that <see cref="Backward"/>'s loss
    /// reached: the backbone's and the objective's) and returns whether the step may be taken; bf16: true.
    /// </summary>
    public bool Unscale(IEnumerable<Tensor> parameters) => Scaler?.Unscale(parameters) ?? true;

    /// <summary>After a step (taken or skipped): updates the fp16 scale by PyTorch's rule.</summary>
    public void Update(bool stepped)
    {
        if (!stepped) SkippedSteps++;
        Scaler?.Update(!stepped);
    }

    /// <summary>What a checkpoint keeps: the precision and the scaler's state.</summary>
    internal MixedPrecisionState State() => new(Precision, Scaler?.Scale, Scaler?.GrowthTracker);

    /// <summary>Restores the scaler from a checkpoint's <paramref name="state"/> of the same precision.</summary>
    internal void Restore(MixedPrecisionState state)
    {
        if (state.Precision != Precision) throw new ArgumentException($"state of a {state.Precision} run, not {Precision}.", nameof(state));
        if (Scaler is null) return;
        if (state.LossScale is not float scale || state.GrowthTracker is not int tracker)
            throw new ArgumentException("an fp16 state without the loss scale and growth tracker.", nameof(state));
        Scaler.Restore(scale, tracker);
    }

    /// <summary>Disposes the working copy; the master belongs to the caller.</summary>
    public void Dispose() => working.Dispose();

    private static void CheckCpuConvolutions(nn.Module master)
    {
        var first = true;
        foreach (var (name, module) in master.named_modules())
        {
            if (module is not Conv2d conv) continue;
            var dense = conv.groups == 1 && conv.kernel_size.Any(k => k > 1);
            if (dense && (conv.out_channels < MinimumCpuChannels || (!first && conv.in_channels < MinimumCpuChannels)))
                throw new ArgumentException($"convolution {name} ({conv.in_channels} → {conv.out_channels} channels) has fewer than {MinimumCpuChannels} " +
                    "channels, which libtorch computes wrongly in bf16/fp16 on the CPU; train it in fp32.", nameof(master));
            first = false;
        }
    }

    private static bool SameShapes(Tensor[] expected, Tensor[] actual) =>
        expected.Length == actual.Length && expected.Zip(actual).All(p => p.First.shape.SequenceEqual(p.Second.shape));
}
