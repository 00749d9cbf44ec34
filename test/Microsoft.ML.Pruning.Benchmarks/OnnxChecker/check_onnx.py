#!/usr/bin/env python3
"""Runs the ONNX project's own checker (full check: types and shapes inferred, strict) over ONNX files.

Usage: python3 check_onnx.py FILE_OR_FOLDER...   (a folder: every *.onnx in it, sorted)

Prints one line per file: the result, the number of weights stored as Constant sparse_value nodes and as sparse
initializers, and the checker's message on failure. Exits 1 when any file fails. Needs the `onnx` Python package
(e.g. Debian's python3-onnx); not used by CI, which enforces the same rules in C# (OnnxSpecValidator in the tests).
Make the files with: dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- onnx-models --out DIR
"""
import os
import sys

import onnx
import onnx.checker


def files(arguments):
    for argument in arguments:
        if os.path.isdir(argument):
            for name in sorted(os.listdir(argument)):
                if name.endswith(".onnx"):
                    yield os.path.join(argument, name)
        else:
            yield argument


def sparse_constants(graph):
    return sum(1 for node in graph.node if node.op_type == "Constant"
               and any(a.name == "sparse_value" for a in node.attribute))


def main(arguments):
    if not arguments:
        print(__doc__.strip())
        return 2
    print(f"onnx {onnx.__version__}: onnx.checker.check_model(model, full_check=True)")
    failures = 0
    for path in files(arguments):
        model = onnx.load(path)
        counts = (f"{sparse_constants(model.graph)} sparse Constant, "
                  f"{len(model.graph.sparse_initializer)} sparse_initializer")
        try:
            onnx.checker.check_model(model, full_check=True)
            print(f"ok    {os.path.basename(path)} ({counts})")
        except Exception as error:  # the checker raises ValidationError or InferenceError
            failures += 1
            message = " ".join(str(error).split())
            print(f"FAIL  {os.path.basename(path)} ({counts}): {message}")
    print(f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
