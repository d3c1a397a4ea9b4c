namespace MarginFace.Training;

/// <summary>
/// A module that writes its own state into a checkpoint, in <c>Module.save</c>'s layout, instead of through a state
/// dictionary of whole tensors: a rank's shard of the class centres writes the whole matrix's rows as they arrive from the
/// ranks, so no process holds the whole matrix (<see cref="Checkpoint.Save"/>).
/// </summary>
internal interface IStreamedState
{
    /// <summary>Writes the state as <c>Module.save</c> would write the whole module's.</summary>
    void Save(BinaryWriter writer);
}
