"""Backend sessions: ``(N, C, H, W)`` float32 batch in, graph output out.

Each backend is imported only when used, so a server needs just the one it
runs (ONNX Runtime needs ``onnxruntime`` and numpy only).
"""
import importlib
import os
from types import ModuleType
from typing import Callable, Dict, List, Sequence

import numpy as np

from ..arrays import DataFileError

#: Threads of the CPU backends (PyTorch's default on this machine as well).
THREADS = os.cpu_count() or 1


def require(module: str, purpose: str, install: str) -> ModuleType:
    """Import ``module``, or raise RuntimeError saying that ``purpose``
    needs it and how to ``install`` it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise RuntimeError(f'{purpose} needs the {module!r} package ({e}): '
                           f'{install}') from None


def _cpu_only(backend: str, device: str) -> None:
    if device != 'cpu':
        raise ValueError(f'{backend} runs on the CPU here, not {device!r}')


def _check_precision(backend: str, precision: str,
                     known: Sequence[str]) -> None:
    if precision not in known:
        raise ValueError(f'{backend} models here are {" or ".join(known)}, '
                         f'not {precision!r}')


class OnnxRuntimeBackend:
    """An ``.onnx`` model (fp32, or int8 QDQ) in an ONNX Runtime CPU (or
    CUDA) session.

    ``precision`` (``deploy.json``'s) is only checked: the file holds it.
    """

    def __init__(self, onnx_file: str, device: str = 'cpu',
                 threads: int = THREADS, precision: str = 'FP32') -> None:
        _check_precision('ONNX Runtime', precision, ('FP32', 'INT8'))
        ort = require('onnxruntime', 'ONNX Runtime inference',
                      'pip install onnxruntime')
        providers = ['CPUExecutionProvider']
        if device.startswith('cuda'):
            if 'CUDAExecutionProvider' not in ort.get_available_providers():
                raise ValueError(f'{device!r} asked for, but this '
                                 'onnxruntime has no CUDA provider')
            providers.insert(0, 'CUDAExecutionProvider')
        elif device != 'cpu':
            raise ValueError(f'unknown device {device!r} (cpu or cuda[:i])')
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        try:
            self.session = ort.InferenceSession(onnx_file, options,
                                                providers=providers)
        except Exception as e:  # onnxruntime raises its own types
            raise DataFileError(f'{onnx_file}: ONNX Runtime cannot load it: '
                                f'{e}') from None
        self.input_name = self.session.get_inputs()[0].name

    def outputs(self, batch: np.ndarray) -> List[np.ndarray]:
        """All graph outputs (a detector has two: dets and labels)."""
        return self.session.run(None, {self.input_name: batch})

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.outputs(batch)[0]


class NcnnBackend:
    """An ncnn ``.param`` + ``.bin`` pair, fp32 on the CPU, one image a run."""

    def __init__(self, param_file: str, bin_file: str, device: str = 'cpu',
                 threads: int = THREADS, precision: str = 'FP32') -> None:
        _cpu_only('ncnn', device)
        _check_precision('ncnn', precision, ('FP32', 'INT8'))
        self.ncnn = ncnn = require('ncnn', 'ncnn inference',
                                   'pip install -r requirements/runtime.txt')
        self.net = ncnn.Net()
        opt = self.net.opt
        opt.use_vulkan_compute = False
        opt.num_threads = threads
        # fp32 storage and arithmetic: the model must match PyTorch
        opt.use_fp16_packed = opt.use_fp16_storage = False
        opt.use_fp16_arithmetic = opt.use_bf16_storage = False
        if self.net.load_param(param_file) != 0:
            raise DataFileError(f'{param_file}: ncnn cannot parse it')
        if self.net.load_model(bin_file) != 0:
            raise DataFileError(f'{bin_file}: ncnn cannot load the weights '
                                f'(missing, truncated or not for '
                                f'{param_file})')
        self.param_file = param_file
        self.input_name = self.net.input_names()[0]
        self.output_name = self.net.output_names()[0]

    def extract(self, img: np.ndarray,
                blobs: Sequence[str]) -> List[np.ndarray]:
        """The ``blobs`` of one preprocessed ``(C, H, W)`` image."""
        ex = self.net.create_extractor()
        ex.input(self.input_name, self.ncnn.Mat(np.ascontiguousarray(img)))
        outs = []
        for blob in blobs:
            ret, out = ex.extract(blob)
            if ret != 0:
                raise RuntimeError(f'{self.param_file}: ncnn failed on blob '
                                   f'{blob} (error {ret})')
            outs.append(np.array(out))
        return outs

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return np.stack([self.extract(img, [self.output_name])[0]
                         for img in batch])


class TensorRTBackend:
    """A serialised TensorRT (10+) engine on a CUDA device.

    Buffers are torch CUDA tensors: a TensorRT machine has torch anyway.
    ``threads`` is not used (the engine runs on the GPU); the engine holds
    its ``precision``.
    """

    def __init__(self, engine_file: str, device: str = 'cuda',
                 threads: int = THREADS, precision: str = 'FP32') -> None:
        _check_precision('TensorRT', precision, ('FP32', 'FP16', 'INT8'))
        if not device.startswith('cuda'):
            raise ValueError(f'TensorRT runs on a CUDA device, not '
                             f'{device!r} (use --device cuda:0)')
        trt = require('tensorrt', 'TensorRT',
                      'pip install -r requirements/tensorrt.txt')
        torch = self.torch = require('torch', 'TensorRT buffers',
                                     'pip install torch')
        if not torch.cuda.is_available():
            raise RuntimeError('TensorRT needs an NVIDIA GPU; none is '
                               'visible to torch')
        self.engine_file = engine_file
        self.device = torch.device(device)
        self.runtime = trt.Runtime(trt.Logger(trt.Logger.WARNING))
        with torch.cuda.device(self.device), open(engine_file, 'rb') as f:
            self.engine = self.runtime.deserialize_cuda_engine(f.read())
            if self.engine is None:
                raise DataFileError(
                    f'{engine_file}: TensorRT cannot deserialise it (corrupt, '
                    'or built by another TensorRT version or GPU)')
            self.context = self.engine.create_execution_context()
            self.stream = torch.cuda.Stream(self.device)
        names = [self.engine.get_tensor_name(i)
                 for i in range(self.engine.num_io_tensors)]
        mode = trt.TensorIOMode.INPUT
        self.input_name = next(n for n in names
                               if self.engine.get_tensor_mode(n) == mode)
        self.output_name = next(n for n in names
                                if self.engine.get_tensor_mode(n) != mode)
        dtypes = {trt.int64: torch.int64, trt.int32: torch.int32,
                  trt.float32: torch.float32, trt.float16: torch.float16}
        self.out_dtype = dtypes[self.engine.get_tensor_dtype(
            self.output_name)]

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        torch = self.torch
        with torch.cuda.device(self.device), torch.cuda.stream(self.stream):
            x = torch.from_numpy(batch).to(self.device).contiguous()
            if not self.context.set_input_shape(self.input_name,
                                                tuple(x.shape)):
                raise ValueError(f'{self.engine_file}: input shape '
                                 f'{tuple(x.shape)} is outside the engine\'s '
                                 'optimisation profile')
            shape = tuple(self.context.get_tensor_shape(self.output_name))
            out = torch.empty(shape, device=self.device,
                              dtype=self.out_dtype)
            self.context.set_tensor_address(self.input_name, x.data_ptr())
            self.context.set_tensor_address(self.output_name, out.data_ptr())
            if not self.context.execute_async_v3(
                    self.stream.cuda_stream):
                raise RuntimeError(f'{self.engine_file}: TensorRT execution '
                                   'failed')
            self.stream.synchronize()
            return out.cpu().numpy()


def openvino_cpu_capabilities() -> List[str]:
    """The precisions OpenVINO's CPU plugin can run here (``'FP32'``,
    ``'BF16'``, ``'INT8'``, ...), from its ``OPTIMIZATION_CAPABILITIES``."""
    ov = require('openvino', 'OpenVINO inference',
                 'pip install -r requirements/runtime.txt')
    return list(ov.Core().get_property('CPU', 'OPTIMIZATION_CAPABILITIES'))


class OpenVINOBackend:
    """An OpenVINO IR (``.xml`` + ``.bin``) on the CPU.

    The network is compiled once for each input shape it is given (a
    static shape is what OpenVINO's CPU plugin runs fastest), with the
    inference precision of ``deploy.json``: ``'FP32'`` computes in fp32
    (OpenVINO's own default is bf16 on CPUs that have it), ``'BF16'`` in
    bf16, and ``'INT8'`` runs the int8 layers of a quantised (QDQ) model
    in int8 and the rest in fp32.

    Raises:
        RuntimeError: No ``openvino`` package, or ``'BF16'`` on a CPU
            without bf16.
    """

    HINTS = dict(FP32='f32', INT8='f32', BF16='bf16')

    def __init__(self, xml_file: str, bin_file: str, device: str = 'cpu',
                 threads: int = THREADS, precision: str = 'FP32') -> None:
        _cpu_only('OpenVINO', device)
        _check_precision('OpenVINO', precision, tuple(self.HINTS))
        ov = require('openvino', 'OpenVINO inference',
                     'pip install -r requirements/runtime.txt')
        self.core = ov.Core()
        if precision == 'BF16':
            caps = openvino_cpu_capabilities()
            if 'BF16' not in caps:
                raise RuntimeError(
                    f'{xml_file}: exported for bf16, but this CPU has no '
                    f'bf16 (OpenVINO CPU capabilities: {", ".join(caps)}); '
                    'export it with an fp32 or int8 deploy config')
        try:
            self.model = self.core.read_model(xml_file, bin_file)
        except RuntimeError as e:
            raise DataFileError(f'{xml_file}: OpenVINO cannot read it with '
                                f'{bin_file}: {e}') from None
        self.xml_file = xml_file
        self.config = dict(INFERENCE_PRECISION_HINT=self.HINTS[precision],
                           INFERENCE_NUM_THREADS=threads,
                           PERFORMANCE_HINT='LATENCY')
        self.requests: Dict[tuple, object] = {}

    def outputs(self, batch: np.ndarray) -> List[np.ndarray]:
        """All graph outputs for ``batch``."""
        request = self.requests.get(batch.shape)
        if request is None:
            model = self.model.clone()
            try:
                model.reshape({model.inputs[0]: list(batch.shape)})
            except RuntimeError as e:
                raise ValueError(f'{self.xml_file}: the model does not take '
                                 f'input {list(batch.shape)}: {e}') from None
            compiled = self.core.compile_model(model, 'CPU', self.config)
            request = self.requests[batch.shape] = \
                compiled.create_infer_request()
        result = request.infer({0: batch})
        return [np.array(result[out]) for out in request.model_outputs]

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self.outputs(batch)[0]


#: Backend name in mmdeploy's ``deploy.json`` -> session class.
BACKENDS: Dict[str, Callable] = dict(
    onnxruntime=OnnxRuntimeBackend, ncnn=NcnnBackend,
    tensorrt=TensorRTBackend, openvino=OpenVINOBackend)
