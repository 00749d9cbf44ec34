using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Onnx;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary><c>mlnet-prune inspect</c>: what an ONNX file holds, layer by layer, without running it.</summary>
internal static class InspectCommand
{
    public static System.CommandLine.Command Create(TextWriter output)
    {
        var model = new Argument<string>("model") { Description = "The ONNX file to read." };
        var format = new Option<string>("--format") { Description = "text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new System.CommandLine.Command("inspect",
            "Show what an ONNX model holds: every initializer (shape, elements, dense or sparse storage, non-zeros, sparsity, bytes), "
            + "the sparsity of the Linear/Conv weights, graph inputs and outputs, operators, opset and IR versions, and the metadata; "
            + "in text form also whether prune --model can take it, with its nodes, output shapes and prunable layers.\n\n"
            + "Examples:\n  mlnet-prune inspect mlnet-prune-out/model.onnx\n  mlnet-prune inspect model.onnx --format json");
        command.Arguments.Add(model);
        command.Options.Add(format);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            OnnxModelInfo info;
            try
            {
                info = OnnxModelInfo.Read(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // Missing, unreadable or not ONNX: bad input, reported as one line with exit code 2.
                throw new CliUsageException(e is InvalidDataException ? e.Message : $"cannot read {path}: {e.Message}", e);
            }

            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(info.ToJson());
            }
            else
            {
                WriteText(output, path, info);
                WriteImport(output, path);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>What <c>prune --model</c> makes of the model: its nodes and prunable layers, or why it cannot take it.</summary>
    private static void WriteImport(TextWriter output, string path)
    {
        output.WriteLine();
        try
        {
            var model = OnnxModelSource.Load(path);
            output.WriteLine($"as a model to prune (--model): {model.PrunableLayers.Count} prunable layers, {model.OutputWidth} classes");
            output.Write(model.Describe());
        }
        catch (ArgumentException e)
        {
            output.WriteLine($"as a model to prune (--model): not supported: {e.Message}");
        }
    }

    private static void WriteText(TextWriter output, string path, OnnxModelInfo info)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"model: {path}, {info.FileBytes:N0} bytes"));
        string opsets = string.Join(", ", info.Opsets.Select(o => string.Create(c, $"{o.Key} {o.Value}")));
        output.WriteLine(string.Create(c, $"IR version {info.IrVersion}; opsets {opsets}; producer {info.ProducerName} {info.ProducerVersion}").TrimEnd());
        output.WriteLine();
        output.WriteLine("inputs:");
        foreach (var v in info.Inputs)
        {
            output.WriteLine($"  {v.Name}: {v.ElementType} [{string.Join(", ", v.Shape)}]");
        }

        output.WriteLine("outputs:");
        foreach (var v in info.Outputs)
        {
            output.WriteLine($"  {v.Name}: {v.ElementType} [{string.Join(", ", v.Shape)}]");
        }

        output.WriteLine("operators: " + string.Join(", ", info.Operators.Select(o => string.Create(c, $"{o.Key} {o.Value}"))));
        output.WriteLine();
        var header = new[] { "initializer", "shape", "elements", "storage", "non-zeros", "sparsity", "bytes" };
        var rows = info.Initializers.Select(i => new[]
        {
            i.IsPrunableWeight ? i.Name + " *" : i.Name,
            "[" + string.Join(", ", i.Shape) + "]",
            i.ElementCount.ToString("N0", c),
            i.Sparse ? "sparse" : "dense",
            i.NonZeros.ToString("N0", c),
            i.Sparsity.ToString("P1", c),
            i.Bytes.ToString("N0", c),
        }).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(k => rows.Select(r => r[k].Length).Append(header[k].Length).Max()).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((cell, k) => k is 0 or 1 or 3 ? cell.PadRight(widths[k]) : cell.PadLeft(widths[k]))).TrimEnd();
        output.WriteLine(Line(header));
        foreach (var row in rows)
        {
            output.WriteLine(Line(row));
        }

        output.WriteLine();
        output.WriteLine(string.Create(c, $"Linear/Conv weights (*): {info.PrunableWeightCount:N0}, non-zero {info.PrunableNonZeros:N0}, sparsity {info.Sparsity:P2}"));
        output.WriteLine(string.Create(c, $"file: {info.FileBytes:N0} bytes"));
        if (info.Metadata.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("metadata:");
            foreach (var (key, value) in info.Metadata)
            {
                output.WriteLine($"  {key} = {value}");
            }
        }
    }
}
