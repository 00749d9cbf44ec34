namespace Microsoft.ML.Pruning.Pruning;

/// <summary>The stopping policy of a run, as the report names it.</summary>
/// <param name="Name">The policy's name with its settings, e.g. <c>icp(information, relative eps=0.11, ...)</c>.</param>
/// <param name="Epsilon">The threshold the reported flow distances are compared with; null for policies without one.</param>
/// <param name="CheckEvery">Epochs between decisions.</param>
public sealed record StoppingInfo(string Name,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] double? Epsilon,
    double CheckEvery);
