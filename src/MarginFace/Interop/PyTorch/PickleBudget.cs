namespace MarginFace.Interop.PyTorch;

/// <summary>
/// What a <see cref="PickleMachine"/> may build from one file: objects and container slots, bytes of text and open MARKs,
/// with a word on what a real file of that kind needs, which each refusal quotes.
/// </summary>
internal sealed record PickleBudget(long MaxObjects, long MaxTextBytes, int MaxNesting, string ObjectsNeeded, string TextNeeded);
