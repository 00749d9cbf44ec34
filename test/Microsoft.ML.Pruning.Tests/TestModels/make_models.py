"""Trains three small MNIST classifiers with PyTorch and exports them with torch.onnx.export.

The ONNX files next to this script are what the import tests read; CI has no Python, so they are committed.
Regenerate them (PyTorch 1.13 and onnx 1.12, e.g. Debian's python3-torch and python3-onnx) with

    python3 make_models.py <folder with t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz>

Training uses rows 0..6999 of the MNIST test set (the training part of the tests' 0.7/0.1/0.2 split by index),
pixels scaled to [0, 1] as the library's IDX reader scales them. Each model is checked with
onnx.checker.check_model(full_check=True) and its accuracy on rows 8000..9999 is printed.

- mlp.onnx (opset 13): 784-128-64-10 with a final LogSoftmax, input [N, 784].
- cnn_bn.onnx (opset 17): two conv-batchnorm-relu-maxpool stages, x.view(x.size(0), -1), two Linear layers,
  input [N, 1, 28, 28], raw logits out. Exported with training=TrainingMode.PRESERVE from evaluation mode and
  without constant folding, so the BatchNormalization nodes stay (TrainingMode.EVAL would fold them into the convs).
- resnet.onnx (opset 11): a conv-bn-relu stem, a block with an identity shortcut, a block with a strided 1x1-conv
  shortcut, global average pooling, x.view(x.size(0), -1), a Linear layer and a final Softmax, input [N, 1, 28, 28].
"""

import gzip
import os
import struct
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

TRAIN_ROWS = 7000
EVAL_FROM = 8000


def read_idx(folder):
    with gzip.open(os.path.join(folder, "t10k-images-idx3-ubyte.gz"), "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 0x803, "not an IDX images file"
        images = np.frombuffer(f.read(), dtype=np.uint8).reshape(count, rows * cols)
    with gzip.open(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"), "rb") as f:
        magic, count = struct.unpack(">II", f.read(8))
        assert magic == 0x801, "not an IDX labels file"
        labels = np.frombuffer(f.read(), dtype=np.uint8)
    return torch.tensor(images, dtype=torch.float32) / 255.0, torch.tensor(labels, dtype=torch.int64)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.log_softmax(self.fc3(x), dim=1)


class CnnBn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc1 = nn.Linear(16 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.block1 = Block(16, 16, 1)
        self.block2 = Block(16, 32, 2)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.stem(x)))
        x = self.block2(self.block1(x))
        x = F.adaptive_avg_pool2d(x, 1)
        x = x.view(x.size(0), -1)
        return F.softmax(self.fc(x), dim=1)


def train(model, images, labels, epochs, output):
    """output: what the model returns: "log_probs", "logits" or "probabilities"."""
    torch.manual_seed(1)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(TRAIN_ROWS)
        for start in range(0, TRAIN_ROWS, 64):
            rows = order[start:start + 64]
            out = model(images[rows])
            if output == "logits":
                loss = F.cross_entropy(out, labels[rows])
            else:
                log_probs = out if output == "log_probs" else torch.log(out.clamp_min(1e-12))
                loss = F.nll_loss(log_probs, labels[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()


def export(model, sample, path, opset, input_name, output_name, preserve):
    kwargs = dict(training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False) if preserve else {}
    torch.onnx.export(model, sample, path, opset_version=opset, input_names=[input_name], output_names=[output_name],
                      dynamic_axes={input_name: {0: "N"}, output_name: {0: "N"}}, **kwargs)
    onnx.checker.check_model(onnx.load(path), full_check=True)


def accuracy(model, images, labels):
    with torch.no_grad():
        return (model(images).argmax(1) == labels).float().mean().item()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python3 make_models.py <mnist-10k folder>")
    torch.manual_seed(0)
    torch.set_num_threads(2)
    images, labels = read_idx(sys.argv[1])
    train_x, train_y = images[:TRAIN_ROWS], labels[:TRAIN_ROWS]
    test_x, test_y = images[EVAL_FROM:], labels[EVAL_FROM:]
    here = os.path.dirname(os.path.abspath(__file__))
    as_image = lambda x: x.view(-1, 1, 28, 28)

    mlp = Mlp()
    train(mlp, train_x, train_y, 4, output="log_probs")
    export(mlp, train_x[:2], os.path.join(here, "mlp.onnx"), 13, "input", "log_probs", preserve=False)
    print("mlp.onnx", accuracy(mlp, test_x, test_y))

    cnn = CnnBn()
    train(cnn, as_image(train_x), train_y, 3, output="logits")
    export(cnn, as_image(train_x[:2]), os.path.join(here, "cnn_bn.onnx"), 17, "image", "logits", preserve=True)
    print("cnn_bn.onnx", accuracy(cnn, as_image(test_x), test_y))

    resnet = ResNet()
    train(resnet, as_image(train_x), train_y, 6, output="probabilities")
    export(resnet, as_image(train_x[:2]), os.path.join(here, "resnet.onnx"), 11, "image", "probabilities", preserve=True)
    print("resnet.onnx", accuracy(resnet, as_image(test_x), test_y))


if __name__ == "__main__":
    main()
