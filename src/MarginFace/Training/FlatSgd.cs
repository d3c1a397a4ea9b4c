using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MarginFace.Training;

/// <summary>
/// SGD with PyTorch's update rule — d = g + λp; b₁ = d, then b ← μb + (1 − τ)d; p ← p − η·(Nesterov ? d + μb : b) — over one
/// flat buffer per parameter group. Each parameter, its gradient and its momentum buffer become views of the group's three
/// buffers, so zeroing the gradients is one kernel and the update three, where TorchSharp's <see cref="SGD"/> launches one
/// zeroing and up to four update kernels per parameter (on a GPU that launch cost, not arithmetic, bounds a small network's
/// step; PyTorch's multi-tensor "foreach" SGD avoids it the same way). The values are those of <see cref="SGD"/>, element for
/// element, and so is the checkpoint format (the momentum buffers are saved parameter by parameter). A group whose
/// parameters differ in device or dtype, or that shares a parameter with another group, is updated parameter by parameter.
/// Backward accumulates into the gradient views in place, so the gradients are zeroed by <see cref="zero_grad"/>, never
/// set to none; every parameter of a flat group is updated at every step, one that backward did not reach as if its
/// gradient were zero (TorchSharp's SGD skips a parameter only until it first has a gradient).
/// </summary>
internal sealed class FlatSgd : SGD
{
    private readonly Dictionary<TorchSharp.Modules.ParamGroup, FlatGroup?> groups = new(ReferenceEqualityComparer.Instance);

    /// <summary>SGD over <paramref name="parameterGroups"/> (each with its own options), default learning rate <paramref name="lr"/>.</summary>
    /// <remarks>
    /// The parameters move into the flat buffers here, so they must already be on their device; a parameter changed in
    /// place after a forward pass and before its backward would fail that backward.
    /// </remarks>
    public FlatSgd(IEnumerable<ParamGroup> parameterGroups, double lr) : base(parameterGroups, lr)
    {
        ready = true;
        Pack();
    }

    private readonly bool ready;

    /// <inheritdoc />
    public override void add_param_group(TorchSharp.Modules.ParamGroup param_group)
    {
        base.add_param_group(param_group);
        if (ready) Pack();
    }

    /// <summary>Releases the buffers' handles; the parameters and gradients keep their storage alive as long as they live.</summary>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        foreach (var flat in groups.Values)
        {
            if (flat is null) continue;
            flat.Parameters.Dispose();
            flat.Gradients.Dispose();
            flat.Momentum.Dispose();
            foreach (var view in flat.MomentumViews) view.Dispose();
        }
        groups.Clear();
    }

    /// <summary>The optimiser state of <paramref name="parameter"/> (its momentum buffer); null when it is not optimised here.</summary>
    internal State? StateOf(Parameter parameter) => _state.TryGetValue(parameter.Handle, out var state) ? (State)state : null;

    /// <summary>Whether the group at <paramref name="index"/> is held in flat buffers.</summary>
    public bool IsFlat(int index) => groups.TryGetValue(_parameter_groups[index], out var g) && g is not null;

    /// <inheritdoc />
    public override void zero_grad()
    {
        using var noGrad = no_grad();
        foreach (var group in _parameter_groups)
        {
            if (groups[group] is FlatGroup flat)
            {
                flat.Gradients.zero_();
                continue;
            }
            foreach (var p in group.Parameters)
            {
                using var grad = p.grad;
                grad?.zero_();
            }
        }
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null)
    {
        return _step<ParamGroup>(group =>
        {
            var o = (Options)group.Options;
            var momentum = o.momentum!.Value;
            var dampening = o.dampening!.Value;
            var weightDecay = o.weight_decay!.Value;
            var nesterov = o.nesterov!.Value;
            var alpha = o.maximize!.Value ? o.LearningRate!.Value : -o.LearningRate!.Value;
            if (groups[group] is FlatGroup flat)
            {
                AdoptLoadedMomentum(group, flat);
                var d = weightDecay != 0 ? flat.Gradients.add(flat.Parameters, alpha: weightDecay) : flat.Gradients;
                if (momentum != 0)
                {
                    if (!flat.Started)
                    {
                        flat.Momentum.copy_(d);
                        flat.Started = true;
                        AttachMomentumViews(group, flat);
                    }
                    else
                    {
                        flat.Momentum.mul_(momentum).add_(d, alpha: 1 - dampening);
                    }
                    d = nesterov ? d.add(flat.Momentum, alpha: momentum) : flat.Momentum;
                }
                flat.Parameters.add_(d, alpha: alpha);
                return;
            }
            foreach (var p in group.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                var state = (State)_state[p.Handle];
                if (weightDecay != 0) grad = grad.add(p, alpha: weightDecay);
                if (momentum != 0)
                {
                    if (state.momentum_buffer is null)
                    {
                        state.momentum_buffer = grad.clone().detach().DetachFromDisposeScope();
                    }
                    else
                    {
                        state.momentum_buffer.mul_(momentum).add_(grad, alpha: 1 - dampening);
                    }
                    grad = nesterov ? grad.add(state.momentum_buffer, alpha: momentum) : state.momentum_buffer;
                }
                p.add_(grad, alpha: alpha);
            }
        }, closure);
    }

    /// <summary>
    /// Writes the state as TorchSharp's <see cref="SGD"/> does, its type name included, so that either optimiser resumes the
    /// other's checkpoints (<see cref="OptimizerHelper.save_state_dict(BinaryWriter)"/> would write this class's name).
    /// </summary>
    public void SaveSgdState(BinaryWriter writer)
    {
        writer.Write(nameof(SGD));
        var sd = state_dict();
        Runtime.TorchSaveCount.Write(writer, sd.Options.Count);
        Runtime.TorchSaveCount.Write(writer, sd.State.Count);
        foreach (var options in sd.Options) options.SaveStateDict(writer);
        foreach (var state in sd.State)
            if (state is State own && StateWriters.TryGetValue(own, out var write)) write(writer, own);
            else state.SaveStateDict(writer);
    }

    /// <summary>
    /// Parameters' states that are written to a checkpoint by their own writer, in SGD's layout (a rank's shard of the class
    /// centres writes the whole momentum's rows as they arrive from the ranks).
    /// </summary>
    internal Dictionary<State, Action<BinaryWriter, State>> StateWriters { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Reads a state that <see cref="SaveSgdState"/> or TorchSharp's SGD wrote; the momentum joins the flat buffers at the next step.</summary>
    public void LoadSgdState(BinaryReader reader)
    {
        var name = reader.ReadString();
        if (name != nameof(SGD)) throw new InvalidDataException($"optimizer state of '{name}', expected '{nameof(SGD)}'");
        var sd = state_dict();
        var options = Runtime.TorchSaveCount.Read(reader, "optimizer state");
        var states = Runtime.TorchSaveCount.Read(reader, "optimizer state");
        if (options != sd.Options.Count) throw new ArgumentException($"optimizer state with {options} parameter groups, expected {sd.Options.Count}");
        if (states != sd.State.Count) throw new ArgumentException($"optimizer state with {states} parameters, expected {sd.State.Count}");
        foreach (var o in sd.Options) o.LoadStateDict(reader);
        foreach (var state in sd.State)
            if (state is State own && StateReaders.TryGetValue(own, out var read)) read(reader, own);
            else state.LoadStateDict(reader);
    }

    /// <summary>
    /// Parameters' states that are read from a checkpoint by their own reader instead of TorchSharp's (a rank's shard of the
    /// class centres reads only its rows of the saved whole momentum); the reader gets the stream at the state's flag.
    /// </summary>
    internal Dictionary<State, Action<BinaryReader, State>> StateReaders { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Moves each group's parameters, gradients and momentum into flat buffers, once.</summary>
    private void Pack()
    {
        var seen = new HashSet<IntPtr>();
        var shared = new HashSet<IntPtr>();
        foreach (var group in _parameter_groups)
            foreach (var p in group.Parameters)
                if (!seen.Add(p.Handle)) shared.Add(p.Handle);
        foreach (var group in _parameter_groups)
        {
            if (groups.ContainsKey(group)) continue;
            var parameters = group.Parameters.ToArray();
            groups[group] = Packable(parameters, shared) ? new FlatGroup(parameters, parameters.Select(p => (State)_state[p.Handle]).ToArray()) : null;
        }
    }

    private static bool Packable(Parameter[] parameters, HashSet<IntPtr> shared) =>
        parameters.Length > 0
        && parameters.All(p => !shared.Contains(p.Handle) && p.requires_grad && !p.is_sparse && p.is_contiguous())
        && parameters.Select(p => (p.device.ToString(), p.dtype)).Distinct().Count() == 1;

    /// <summary>After the first flat step, each parameter's saved momentum state is its view of the flat buffer.</summary>
    private void AttachMomentumViews(TorchSharp.Modules.ParamGroup group, FlatGroup flat)
    {
        for (var i = 0; i < flat.States.Length; i++)
        {
            var state = flat.States[i];
            if (state.momentum_buffer is not null && ReferenceEquals(state.momentum_buffer, flat.StateViews[i])) continue;
            state.momentum_buffer?.Dispose();
            // The state gets its own alias: loading a checkpoint disposes the state's tensor object.
            state.momentum_buffer = flat.StateViews[i] = flat.MomentumViews[i].alias().DetachFromDisposeScope();
        }
    }

    /// <summary>
    /// A checkpoint loaded after packing may have replaced the states' momentum tensors with its own: their values are
    /// copied into the flat buffer and the states point at its views again.
    /// </summary>
    private void AdoptLoadedMomentum(TorchSharp.Modules.ParamGroup group, FlatGroup flat)
    {
        var loaded = false;
        for (var i = 0; i < flat.States.Length; i++)
        {
            var state = flat.States[i];
            if (state.momentum_buffer is null || ReferenceEquals(state.momentum_buffer, flat.StateViews[i])) continue;
            flat.MomentumViews[i].copy_(state.momentum_buffer);
            loaded = true;
        }
        if (!loaded) return;
        flat.Started = true;
        AttachMomentumViews(group, flat);
    }

    /// <summary>The flat buffers of one group and the parameters' views of them.</summary>
    private sealed class FlatGroup
    {
        public FlatGroup(Parameter[] parameters, State[] states)
        {
            States = states;
            var total = parameters.Sum(p => p.numel());
            var first = parameters[0];
            using var noGrad = no_grad();
            Parameters = empty([total], dtype: first.dtype, device: first.device).DetachFromDisposeScope();
            Gradients = zeros([total], dtype: first.dtype, device: first.device).DetachFromDisposeScope();
            Momentum = zeros([total], dtype: first.dtype, device: first.device).DetachFromDisposeScope();
            MomentumViews = new Tensor[parameters.Length];
            StateViews = new Tensor?[parameters.Length];
            long offset = 0;
            for (var i = 0; i < parameters.Length; i++)
            {
                var p = parameters[i];
                var n = p.numel();
                using var parameterView = Parameters.narrow(0, offset, n).view(p.shape);
                parameterView.copy_(p);
                p.set_(parameterView);
                using var gradientView = Gradients.narrow(0, offset, n).view(p.shape);
                using (var existing = p.grad)
                    if (existing is not null) gradientView.copy_(existing);
                p.grad = gradientView;
                MomentumViews[i] = Momentum.narrow(0, offset, n).view(p.shape).DetachFromDisposeScope();
                offset += n;
            }
        }

        /// <summary>The members' optimiser states, in member order (TorchSharp keeps one per parameter for its life).</summary>
        public State[] States { get; }
        public Tensor Parameters { get; }
        public Tensor Gradients { get; }
        public Tensor Momentum { get; }
        public Tensor[] MomentumViews { get; }
        public Tensor?[] StateViews { get; }
        public bool Started { get; set; }
    }
}
