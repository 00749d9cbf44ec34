using System.Text.RegularExpressions;

namespace Microsoft.ML.Pruning.Benchmarks;

/// <summary>Replaces the text between <c>&lt;!-- begin:NAME --&gt;</c> and <c>&lt;!-- end:NAME --&gt;</c> in a Markdown file.</summary>
internal static class MarkdownSection
{
    public static void Write(string path, string name, string content, string command)
    {
        string text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        string block = $"<!-- begin:{name} -->\nReproduce: `{command}`\n\n{content.TrimEnd()}\n<!-- end:{name} -->";
        var pattern = new Regex($"<!-- begin:{Regex.Escape(name)} -->.*?<!-- end:{Regex.Escape(name)} -->", RegexOptions.Singleline);
        text = pattern.IsMatch(text) ? pattern.Replace(text, block) : text.TrimEnd() + $"\n\n## {name}\n\n" + block + "\n";
        string temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
