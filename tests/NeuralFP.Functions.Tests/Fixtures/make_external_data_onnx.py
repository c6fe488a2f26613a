"""Writes external_data.onnx: a tiny Fashion-MNIST-shaped classifier whose weights live in an
external file that is not shipped, i.e. an upload the service must refuse with a clear reason.
Run with Debian's python: /usr/bin/python3 make_external_data_onnx.py"""
import os
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, external_data_helper, helper, numpy_helper

weights = numpy_helper.from_array(np.full((784, 2), 0.01, dtype=np.float32), name="W")
graph = helper.make_graph(
    [
        helper.make_node("Flatten", ["input"], ["flat"], axis=1),
        helper.make_node("MatMul", ["flat", "W"], ["logits"]),
    ],
    "external_weights",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 28, 28])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 2])],
    initializer=[weights],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="neuralfp-tests")
external_data_helper.convert_model_to_external_data(model, all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
here = os.path.dirname(os.path.abspath(__file__))
with tempfile.TemporaryDirectory() as scratch:
    # Saving writes weights.bin beside the model; only the model (which points at it) is kept.
    onnx.save_model(model, os.path.join(scratch, "external_data.onnx"))
    with open(os.path.join(scratch, "external_data.onnx"), "rb") as f:
        data = f.read()
with open(os.path.join(here, "external_data.onnx"), "wb") as f:
    f.write(data)
print(len(data), "bytes")
