#!/usr/bin/python3
"""Builds two tiny transformer fixtures whose feed-forward activation is an explicit op, into tests/fixtures/models/tokens/.

Run from anywhere with Debian's python:  /usr/bin/python3 tools/build_token_activation_models.py   (a few seconds)

Why: torch 1.13 exports nn.GELU as its Erf formula, so the panel's transformer has no activation op between its blocks'
MatMuls; exporters at opset 20 (and every exporter for ReLU) write one. The activation inside the feed-forward is then a
token-wise [N, T, F] tensor after a MatMul, and the layer choice must pool it over time (a sequence), not as a [C, L]
map. The models are untrained (seeded weights): the tests read their structure and run them, nothing depends on accuracy.

  token_relu_transformer.onnx   1 pre-norm block (d=8, 2 heads, feed-forward 8→16→8 with nn.ReLU): a Relu op
  token_gelu_transformer.onnx   the same block with nn.GELU, its Erf formula replaced by one Gelu op (opset 20)

Both take `input` [N, 6, 5] (6 tokens of 5 features, dynamic batch) and return `logits` [N, 3] (mean over tokens, Linear).
"""
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
from onnx import helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_panel import EncoderBlock  # noqa: E402  (the panel's block, with the activation given)

SEED = 20261201
OPSET = 17  # LayerNormalization as one op
GELU_OPSET = 20  # Gelu as one op
TOKENS, FEATURES, WIDTH, HEADS, CLASSES = 6, 5, 8, 2, 3
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "tests", "fixtures", "models", "tokens")


class TokenTransformer(nn.Module):
    def __init__(self, activation):
        super().__init__()
        self.embed = nn.Linear(FEATURES, WIDTH)
        self.block = EncoderBlock(WIDTH, HEADS, activation)
        self.norm = nn.LayerNorm(WIDTH)
        self.head = nn.Linear(WIDTH, CLASSES)

    def forward(self, x):
        return self.head(self.norm(self.block(self.embed(x))).mean(dim=1))


def gelu_as_one_op(proto):
    """Replaces torch's exact-GELU formula x * 0.5 * (1 + erf(x / sqrt 2)) by one Gelu node (default domain, opset 20)."""
    graph = proto.graph
    producers = {o: n for n in graph.node for o in n.output}
    consumers = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    replaced = 0
    for erf in [n for n in graph.node if n.op_type == "Erf"]:
        div = producers[erf.input[0]]
        x = div.input[0]
        add = consumers[erf.output[0]][0]
        mul = consumers[add.output[0]][0]  # x * (1 + erf)  (torch 1.13 order)
        half = consumers[mul.output[0]][0]  # * 0.5
        assert (div.op_type, add.op_type, mul.op_type, half.op_type) == ("Div", "Add", "Mul", "Mul"), "unexpected GELU pattern"
        assert x in mul.input
        gelu = helper.make_node("Gelu", [x], [half.output[0]], name="gelu")
        index = list(graph.node).index(div)
        for n in (div, erf, add, mul, half):
            graph.node.remove(n)
        graph.node.insert(index, gelu)
        replaced += 1
    assert replaced == 1
    # Drop initializers the removed nodes alone used (the constants of the formula).
    used = {i for n in graph.node for i in n.input}
    for init in [t for t in graph.initializer if t.name not in used]:
        graph.initializer.remove(init)
    # Opset 18 moved the reductions' axes from an attribute to an input.
    for node in [n for n in graph.node if n.op_type.startswith("Reduce") and n.op_type != "ReduceSum"]:
        axes = [a for a in node.attribute if a.name == "axes"]
        for a in axes:
            name = f"{node.name or node.output[0]}_axes"
            graph.initializer.append(onnx.numpy_helper.from_array(np.array(a.ints, dtype=np.int64), name))
            node.input.append(name)
            node.attribute.remove(a)
    for opset in proto.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = GELU_OPSET
    return proto


def export(activation, name, rewrite=None):
    torch.manual_seed(SEED)
    model = TokenTransformer(activation).eval()
    path = os.path.join(OUT_DIR, name)
    example = torch.randn(2, TOKENS, FEATURES)
    torch.onnx.export(model, example, path, opset_version=OPSET, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
    proto = onnx.load(path)
    if rewrite is not None:
        proto = rewrite(proto)
        onnx.save(proto, path)
    else:
        onnx.checker.check_model(proto, full_check=True)  # onnx 1.12 does not know opset 20: the rewritten one is checked by ONNX Runtime in the tests
    ops = sorted({n.op_type for n in proto.graph.node})
    print(f"wrote {name}: {os.path.getsize(path)} bytes, opset {proto.opset_import[0].version}, ops {ops}")


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    export(nn.ReLU(), "token_relu_transformer.onnx")
    export(nn.GELU(), "token_gelu_transformer.onnx", rewrite=gelu_as_one_op)


if __name__ == "__main__":
    main()
