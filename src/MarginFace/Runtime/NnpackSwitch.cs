using System.Runtime.InteropServices;

namespace MarginFace.Runtime;

/// <summary>
/// Turns libtorch's NNPACK convolutions off (<c>at::globalContext().setUserEnabledNNPACK(false)</c>, what PyTorch's
/// <c>torch.backends.nnpack.set_flags(False)</c> does), which TorchSharp does not expose. On CPUs NNPACK does not support,
/// libtorch otherwise retries NNPACK's initialisation and prints "Could not initialize NNPACK! Reason: Unsupported hardware."
/// for every convolution of a batch; its own and oneDNN's kernels serve those convolutions either way.
/// </summary>
internal static class NnpackSwitch
{
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetUserEnabledNnpack = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private const string UserEnabledNnpack = "_ZNK2at7Context17userEnabledNNPACKEv";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContextFunction();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool GetFlagFunction(IntPtr context);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFlagFunction(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    /// <summary>Disables NNPACK in the libtorch loaded as <paramref name="torchCpu"/>; false when the library lacks the two symbols.</summary>
    public static bool Disable(IntPtr torchCpu)
    {
        if (!NativeLibrary.TryGetExport(torchCpu, GlobalContext, out var context) ||
            !NativeLibrary.TryGetExport(torchCpu, SetUserEnabledNnpack, out var set))
            return false;
        var instance = Marshal.GetDelegateForFunctionPointer<GlobalContextFunction>(context)();
        Marshal.GetDelegateForFunctionPointer<SetFlagFunction>(set)(instance, false);
        return true;
    }

    /// <summary>libtorch's NNPACK flag in the library <paramref name="torchCpu"/>; null when it lacks the symbols.</summary>
    public static bool? Enabled(IntPtr torchCpu)
    {
        if (!NativeLibrary.TryGetExport(torchCpu, GlobalContext, out var context) ||
            !NativeLibrary.TryGetExport(torchCpu, UserEnabledNnpack, out var get))
            return null;
        var instance = Marshal.GetDelegateForFunctionPointer<GlobalContextFunction>(context)();
        return Marshal.GetDelegateForFunctionPointer<GetFlagFunction>(get)(instance);
    }
}
