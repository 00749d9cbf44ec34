namespace Microsoft.ML.Pruning.Import;

/// <summary>Where a node input comes from when the graph runs.</summary>
internal enum ValueSource
{
    /// <summary>A value computed by an earlier node (or the graph input): a slot of the frame.</summary>
    Slot,

    /// <summary>A tensor the network registers: a parameter, a statistic or a float constant (see <see cref="ImportedTensor"/>).</summary>
    Registered,

    /// <summary>An integer or bool constant (shapes, indices), made on the CPU when needed.</summary>
    IntegerConstant,
}

/// <summary>A node input resolved at import: a slot, a registered tensor, or an integer constant.</summary>
/// <param name="Source">What kind of source.</param>
/// <param name="Index">The slot or the registered tensor's index; unused for integer constants.</param>
/// <param name="Constant">The value of an integer constant.</param>
internal readonly record struct ValueRef(ValueSource Source, int Index, ConstantValue? Constant)
{
    public static ValueRef Slot(int index) => new(ValueSource.Slot, index, null);

    public static ValueRef Registered(int index) => new(ValueSource.Registered, index, null);

    public static ValueRef Integer(ConstantValue value) => new(ValueSource.IntegerConstant, -1, value);
}
