"""The Tinker stand-in's wire format: request parsers, JSON responses, the SDK's protobuf tensors and datums as
dicts, and the losses and ``forward_backward`` output it computes from them (``tinker_stub`` serves them)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pydantic
from starlette.responses import JSONResponse, Response
from tinker import types
from tinker.proto import tinker_public_pb2 as pb


def json_parser(model: type[pydantic.BaseModel]) -> Callable[[bytes, str], pydantic.BaseModel]:
    return lambda raw, _encoding: model.model_validate_json(raw or b"{}")


def no_body(_raw: bytes, _encoding: str) -> None:
    return None


def response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return JSONResponse({})
    return JSONResponse(result.model_dump(mode="json"))


_DTYPES = {pb.DTYPE_FLOAT32: ("float32", np.float32), pb.DTYPE_INT64: ("int64", np.int64)}


def tensor_dict(tensor: pb.Tensor) -> dict[str, Any]:
    if tensor.dtype not in _DTYPES:
        raise ValueError(f"tensor dtype {pb.DType.Name(tensor.dtype)} is not float32 or int64")
    name, dtype = _DTYPES[tensor.dtype]
    shape = list(tensor.shape) or None
    if tensor.HasField("sparse_csr"):
        csr = tensor.sparse_csr
        return {
            "data": np.frombuffer(csr.values, dtype=dtype).tolist(),
            "dtype": name,
            "shape": shape,
            "sparse_crow_indices": np.frombuffer(csr.crow_indices, dtype=np.int64).tolist(),
            "sparse_col_indices": np.frombuffer(csr.col_indices, dtype=np.int64).tolist(),
        }
    return {"data": np.frombuffer(tensor.dense, dtype=dtype).tolist(), "dtype": name, "shape": shape}


def datum_dict(datum: pb.Datum) -> dict[str, Any]:
    if datum.model_input_spans or datum.loss_fn_input_spans:
        raise ValueError("TinkerStub does not implement provenance spans")
    chunks = []
    for chunk in datum.model_input:
        if chunk.WhichOneof("chunk") != "encoded_text":
            raise ValueError(f"TinkerStub does not implement {chunk.WhichOneof('chunk')} chunks")
        chunks.append({"type": "encoded_text", "tokens": np.frombuffer(chunk.encoded_text.tokens, dtype=np.int32).tolist()})
    return {
        "model_input": {"chunks": chunks},
        "loss_fn_inputs": {key: tensor_dict(value) for key, value in datum.loss_fn_inputs.items()},
    }


def loss_fn_config(message: pb.ForwardBackwardRequest) -> dict[str, float | str]:
    config: dict[str, float | str] = dict(message.loss_fn_config)
    for key, value in message.loss_fn_config_v2.items():
        config[key] = value.text if value.WhichOneof("value") == "text" else value.number
    return config


def dense(tensor: types.TensorData) -> np.ndarray:
    """The tensor as a dense numpy array (a sparse CSR one padded with 0), without torch."""
    if tensor.sparse_crow_indices is None:
        return tensor.to_numpy()
    assert tensor.shape is not None and tensor.sparse_col_indices is not None
    dense = np.zeros(tensor.shape, dtype=tensor.to_numpy().dtype)
    values = tensor.to_numpy().ravel()
    for row, (start, end) in enumerate(itertools.pairwise(tensor.sparse_crow_indices)):
        dense[row, tensor.sparse_col_indices[start:end]] = values[start:end]
    return dense


def loss(loss_fn: str, logprobs: np.ndarray, inputs: dict[str, np.ndarray], config: dict[str, Any]) -> float:
    """The summed loss of one datum, as Tinker's docs define it."""
    if loss_fn == "cross_entropy":
        return float(np.sum(-logprobs * inputs["weights"]))
    ratio = np.exp(logprobs - inputs["logprobs"])
    advantages = inputs["advantages"]
    if loss_fn == "importance_sampling":
        return float(np.sum(-ratio * advantages))
    clipped = np.clip(ratio, config.get("clip_low_threshold", 0.8), config.get("clip_high_threshold", 1.2))
    return float(np.sum(-np.minimum(ratio * advantages, clipped * advantages)))


def forward_backward_output(logprobs: list[np.ndarray], metrics: dict[str, float]) -> bytes:
    """A protobuf ``ForwardBackwardOutput`` with one ``logprobs`` tensor per datum."""
    output = pb.ForwardBackwardOutput(loss_fn_output_type="ArrayRecord")
    record = output.loss_fn_outputs.add()
    record.num_datums = len(logprobs)
    field = record.fields["logprobs"]
    field.dtype = pb.DTYPE_FLOAT32
    field.trailing_shape.extend(logprobs[0].shape[1:] if logprobs else [])
    field.data = b"".join(array.astype(np.float32).tobytes() for array in logprobs)
    field.offsets = np.cumsum([0] + [array.size * 4 for array in logprobs], dtype=np.int64).tobytes()
    for key, value in metrics.items():
        output.metrics[key] = value
    return output.SerializeToString()
