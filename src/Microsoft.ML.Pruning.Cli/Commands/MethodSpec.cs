using System.Globalization;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary>
/// A method as <c>--method</c> and <c>--methods</c> take it: a name, optionally with its PQ-index orders, e.g.
/// <c>icp-if-sap(0.5,1)</c>. <c>--methods paper</c> stands for the seven methods of the ICP paper.
/// </summary>
internal sealed partial record MethodSpec(string Text, string Name, double? P, double? Q)
{
    /// <summary>The ICP paper's seven methods: LTH, SAP(1,2), SAP(0.5,1), InCoP-IF(1,2), InCoP-IF(0.5,1), InCoP-GF(1,2), InCoP-GF(0.5,1).</summary>
    public static IReadOnlyList<string> Paper { get; } = new[]
    {
        "lth", "sap(1,2)", "sap(0.5,1)", "icp-if-sap(1,2)", "icp-if-sap(0.5,1)", "icp-gf-sap(1,2)", "icp-gf-sap(0.5,1)",
    };

    /// <summary>Reads one method spec.</summary>
    /// <exception cref="ArgumentException">Not a name or <c>name(p,q)</c> with numbers.</exception>
    public static MethodSpec Parse(string text)
    {
        var match = SpecPattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new ArgumentException($"Method '{text}' is not valid: give a method name, optionally with PQ-index orders, e.g. sap or sap(0.5,1).");
        }

        string name = match.Groups["name"].Value;
        if (!match.Groups["p"].Success)
        {
            return new MethodSpec(text.Trim(), name, null, null);
        }

        return new MethodSpec(text.Trim(), name,
            double.Parse(match.Groups["p"].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups["q"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Splits a <c>--methods</c> list at commas outside parentheses; <c>paper</c> expands to <see cref="Paper"/>.</summary>
    public static IReadOnlyList<string> SplitList(string list)
    {
        var items = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i <= list.Length; i++)
        {
            if (i == list.Length || (list[i] == ',' && depth == 0))
            {
                string item = list[start..i].Trim();
                if (item.Length > 0)
                {
                    items.AddRange(item.Equals("paper", StringComparison.OrdinalIgnoreCase) ? Paper : new[] { item });
                }

                start = i + 1;
            }
            else if (list[i] == '(')
            {
                depth++;
            }
            else if (list[i] == ')')
            {
                depth--;
            }
        }

        return items;
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z][A-Za-z0-9-]*)(\(\s*(?<p>[0-9]*\.?[0-9]+)\s*,\s*(?<q>[0-9]*\.?[0-9]+)\s*\))?$")]
    private static partial Regex SpecPattern();
}
