using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>The JSON conventions of every report the library writes: camelCase, indented, nulls left out unless a
/// property says otherwise, NaN and infinities allowed.</summary>
internal static class ReportJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
