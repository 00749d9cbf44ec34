using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Pruning.Cli.Output;
using Microsoft.ML.Pruning.Import;
using Microsoft.ML.Pruning.Onnx;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Cli.Commands;

/// <summary><c>mlnet-prune inspect</c>: what an ONNX file holds, layer by layer; with <c>--measure</c>, what it costs in
/// ONNX Runtime.</summary>
internal static class InspectCommand
{
    public static System.CommandLine.Command Create(TextWriter output, TextWriter error)
    {
        var model = new Argument<string>("model") { Description = "The ONNX file to read." };
        var format = new Option<string>("--format") { Description = "text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var measure = new Option<bool>("--measure")
        {
            Description = "Also run the model with ONNX Runtime: latency at each batch size (median and quartiles of timed runs), "
                + "a session's peak memory, and multiply-accumulates per Gemm/MatMul/Conv from the shapes flowing through the graph.",
        };
        var baseline = new Option<string?>("--baseline")
        {
            Description = "A second ONNX file (e.g. the dense model) measured the same way, its runs interleaved with the model's; "
                + "shows both side by side with the ratios. Implies --measure.",
        };
        var measureOptions = new MeasureOptions(zeroRunsSkips: false);
        var command = new System.CommandLine.Command("inspect",
            "Show what an ONNX model holds: every stored tensor (shape, elements, dense or sparse storage, non-zeros, sparsity, bytes), "
            + "the sparsity of the Linear/Conv weights, graph inputs and outputs, operators, opset and IR versions, and the metadata; "
            + "in text form also whether prune --model can take it, with its nodes, output shapes and prunable layers. "
            + "With --measure, also what it costs in ONNX Runtime (latency, memory, MACs), against --baseline when given.\n\n"
            + "Examples:\n  mlnet-prune inspect mlnet-prune-out/model.onnx\n  mlnet-prune inspect model.onnx --format json\n"
            + "  mlnet-prune inspect pruned.onnx --measure --baseline dense.onnx\n  mlnet-prune inspect model.onnx --measure --measure-runs 50 --measure-seconds 2");
        command.Arguments.Add(model);
        command.Options.Add(format);
        command.Options.Add(measure);
        command.Options.Add(baseline);
        measureOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string path = parse.GetValue(model)!;
            string? baselinePath = parse.GetValue(baseline);
            bool measuring = parse.GetValue(measure) || baselinePath is not null;
            var options = measuring ? measureOptions.Read(parse) : null; // bad options refused before any file is read
            var info = ReadInfo(path);
            // A model from an output folder is shown only as part of a whole set (see docs/reliability.md).
            var marker = OutputSetCheck.Verify(path);
            if (baselinePath is not null)
            {
                ReadInfo(baselinePath);
            }

            DeploymentMeasurement? deployment = null;
            if (options is not null)
            {
                if (parse.GetValue(format) != "json")
                {
                    error.WriteLine($"measuring {path}{(baselinePath is null ? "" : $" against {baselinePath}")} with ONNX Runtime...");
                }

                deployment = RunSetup.Usage(() => OnnxModelMeasurement.Measure(path, baselinePath, options, cancellationToken));
            }

            if (parse.GetValue(format) == "json")
            {
                output.WriteLine(ToJson(info, deployment));
            }
            else
            {
                WriteText(output, path, info);
                WriteImport(output, path);
                if (marker is not null)
                {
                    output.WriteLine();
                    output.WriteLine($"output set: complete, {marker.Describe()}; its {marker.Files.Count} files match {OutputSetKind.All.First(k => k.Command == marker.Command).MarkerFile}");
                }

                if (deployment is not null)
                {
                    WriteDeployment(output, deployment);
                }
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static OnnxModelInfo ReadInfo(string path)
    {
        if (Directory.Exists(path))
        {
            string inside = Path.Combine(path, "model.onnx");
            throw new CliUsageException($"{path} is a folder; give an ONNX file{(File.Exists(inside) ? $", e.g. {inside}" : "")}.");
        }

        try
        {
            return OnnxModelInfo.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // Missing, unreadable or not ONNX: bad input, reported as one line with exit code 2.
            throw new CliUsageException(e is InvalidDataException ? e.Message : $"cannot read {path}: {e.Message}", e);
        }
    }

    /// <summary>The model's JSON, with the measurement added as <c>deployment</c> when there is one.</summary>
    private static string ToJson(OnnxModelInfo info, DeploymentMeasurement? deployment)
    {
        if (deployment is null)
        {
            return info.ToJson();
        }

        var root = JsonNode.Parse(info.ToJson())!.AsObject();
        root["deployment"] = JsonSerializer.SerializeToNode(deployment, DeploymentJson);
        return root.ToJsonString(DeploymentJson);
    }

    private static readonly JsonSerializerOptions DeploymentJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The side-by-side table, the per-operator MACs of the model, and the notes.</summary>
    internal static void WriteDeployment(TextWriter output, DeploymentMeasurement deployment)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine(string.Create(c, $"deployment: {deployment.Runtime}, {(deployment.Threads > 0 ? $"{deployment.Threads} intra-op threads" : "default threads")}"));
        WriteAligned(output, deployment.SummaryTable());
        output.WriteLine("latency: median [25th-75th percentile] of timed runs" + (deployment.Baseline is null ? "" : "; ratio from runs interleaved with the baseline"));
        output.WriteLine($"memory: {deployment.MemoryMethod}");
        if (deployment.Model.Operators.Count > 0)
        {
            output.WriteLine();
            var rows = new List<IReadOnlyList<string>> { new[] { "operator", "op", "output shape", "MACs", "non-zero-weight MACs" } };
            rows.AddRange(deployment.Model.Operators.Select(o => (IReadOnlyList<string>)new[]
            {
                o.Node, o.OpType, "[" + string.Join(", ", o.OutputShape) + "]", o.Macs.ToString("N0", c), o.EffectiveMacs.ToString("N0", c),
            }));
            WriteAligned(output, rows);
        }

        foreach (var note in deployment.Notes)
        {
            output.WriteLine($"note: {note}");
        }
    }

    /// <summary>Columns padded to their widest cell: the first left-aligned, the others right-aligned.</summary>
    private static void WriteAligned(TextWriter output, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        int columns = rows.Max(r => r.Count);
        var widths = Enumerable.Range(0, columns).Select(k => rows.Where(r => k < r.Count).Max(r => r[k].Length)).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, k) => k == 0 ? cell.PadRight(widths[k]) : cell.PadLeft(widths[k]))).TrimEnd());
        }
    }

    /// <summary>How a stored tensor is held, in a word or two: the storage modes of <c>--storage</c> are "dense"
    /// (an initializer) and "sparse" (a Constant's sparse_value); files from other writers may hold the other forms.</summary>
    private static string StorageLabel(OnnxTensorStorage storage) => storage switch
    {
        OnnxTensorStorage.SparseConstant => "sparse",
        OnnxTensorStorage.SparseInitializer => "sparse initializer",
        OnnxTensorStorage.Constant => "dense constant",
        _ => "dense",
    };

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
        var header = new[] { "tensor", "shape", "elements", "storage", "non-zeros", "sparsity", "bytes" };
        var rows = info.Initializers.Select(i => new[]
        {
            i.IsPrunableWeight ? i.Name + " *" : i.Name,
            "[" + string.Join(", ", i.Shape) + "]",
            i.ElementCount.ToString("N0", c),
            StorageLabel(i.Storage),
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
