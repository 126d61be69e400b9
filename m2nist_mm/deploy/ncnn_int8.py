"""Int8 ncnn models made from fp32 ones, as ncnn's ``ncnn2table`` and
``ncnn2int8`` tools make them (the PyPI ``ncnn`` wheel ships neither).

The format and the choice of layers are described in docs/deployment.md.
"""
import dataclasses
import os
import struct
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from m2nist_core.inference.backends import NcnnBackend
from m2nist_core.inference.model import Preprocess

MAGIC = '7767517'
FP32_TAG, INT8_TAG = 0x00000000, 0x000D4B38
CONVS = ('Convolution', 'ConvolutionDepthWise')
#: Calibration images the sensitivity of each layer is measured on, and
#: the default least agreement (%) with fp32 on them of a quantised layer.
SENSITIVITY_IMAGES, LAYER_AGREEMENT = 64, 99.97
#: Layer types pnnx writes for these models that have no weights.
WEIGHTLESS = ('Input', 'Padding', 'Split', 'Concat', 'BinaryOp', 'Interp',
              'Pooling', 'ReLU', 'Crop', 'Reshape', 'Permute', 'Sigmoid',
              'Softmax', 'Slice', 'UnaryOp', 'Eltwise', 'Flatten', 'ArgMax')


@dataclasses.dataclass
class Layer:
    """One line of an ncnn ``.param`` file."""
    type: str
    name: str
    bottoms: List[str]
    tops: List[str]
    params: Dict[str, str]

    @classmethod
    def parse(cls, line: str) -> 'Layer':
        f = line.split()
        nb, nt = int(f[2]), int(f[3])
        params = dict(p.split('=', 1) for p in f[4 + nb + nt:])
        return cls(f[0], f[1], f[4:4 + nb], f[4 + nb:4 + nb + nt], params)

    def line(self) -> str:
        return ' '.join([
            f'{self.type:<24} {self.name:<24} {len(self.bottoms)} '
            f'{len(self.tops)}', *self.bottoms, *self.tops,
            *(f'{k}={v}' for k, v in self.params.items())
        ])

    def int_param(self, key: str, default: int = 0) -> int:
        return int(self.params.get(key, default))


def read_param(path: str) -> Tuple[str, List[Layer]]:
    """The layer/blob count line and the layers of a ``.param`` file."""
    with open(path) as f:
        lines = f.read().splitlines()
    if not lines or lines[0].strip() != MAGIC:
        raise ValueError(f'{path}: not an ncnn param file (no {MAGIC} '
                         'header)')
    return lines[1], [Layer.parse(ln) for ln in lines[2:] if ln.strip()]


def read_weights(path: str, layers: Sequence[Layer]
                 ) -> Dict[str, Tuple[np.ndarray, Optional[np.ndarray]]]:
    """Each convolution's fp32 weights and bias from the ``.bin``;
    ValueError for an unknown layer type, a blob not tagged fp32 or a file
    of another length."""
    data = open(path, 'rb').read()
    offset, weights = 0, {}
    for layer in layers:
        if layer.type not in CONVS:
            if layer.type not in WEIGHTLESS:
                raise ValueError(f'{path}: layer {layer.name} of type '
                                 f'{layer.type} is not quantised here')
            continue
        count = layer.int_param('6')
        tag, = struct.unpack_from('<I', data, offset)
        if tag != FP32_TAG:
            raise ValueError(f'{path}: layer {layer.name} holds no fp32 '
                             f'weights (tag {tag:#010x})')
        w = np.frombuffer(data, '<f4', count, offset + 4)
        offset += 4 + 4 * count
        bias = None
        if layer.int_param('5'):
            n = layer.int_param('0')
            bias = np.frombuffer(data, '<f4', n, offset)
            offset += 4 * n
        weights[layer.name] = (w, bias)
    if offset != len(data):
        raise ValueError(f'{path}: {len(data)} bytes, the param file '
                         f'describes {offset}')
    return weights


def input_absmax(param_file: str, bin_file: str, convs: Sequence[Layer],
                 batches: Sequence[np.ndarray]) -> Dict[str, float]:
    """``max |x|`` of each convolution's input over the calibration
    batches (one image each), run through the fp32 model."""
    net = NcnnBackend(param_file, bin_file)
    absmax = dict.fromkeys((c.name for c in convs), 0.0)
    for batch in batches:
        for img in batch:
            outs = net.extract(img, [conv.bottoms[0] for conv in convs])
            for conv, out in zip(convs, outs):
                absmax[conv.name] = max(absmax[conv.name],
                                        float(np.abs(out).max()))
    return absmax


def image_blobs(layers: Sequence[Layer]) -> set:
    """The blobs that hold the input image itself (the input, padded,
    split): signed int8 (127 levels) cannot hold its 255 grey levels, so
    the convolutions that read them stay fp32."""
    blobs = {t for ly in layers if ly.type == 'Input' for t in ly.tops}
    for ly in layers:
        if ly.type in ('Padding', 'Split') and ly.bottoms[0] in blobs:
            blobs.update(ly.tops)
    return blobs


def _round(x: np.ndarray) -> np.ndarray:
    """C's ``round``: halves away from zero (numpy's go to even)."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def weight_scales(layer: Layer, w: np.ndarray) -> np.ndarray:
    """Per output channel (per group for depthwise) weight scales; 3x3
    stride-1 convolutions get 6-bit weights, as ncnn's int8 Winograd needs.
    """
    depthwise = layer.type == 'ConvolutionDepthWise'
    rows = layer.int_param('7', 1) if depthwise else layer.int_param('0')
    absmax = np.abs(w.reshape(rows, -1)).max(1)
    kw = layer.int_param('1')
    kh, sw = layer.int_param('11', kw), layer.int_param('3', 1)
    sh, dw = layer.int_param('13', sw), layer.int_param('2', 1)
    winograd = (not depthwise and (kh, kw, sh, sw, dw) == (3, 3, 1, 1, 1)
                and layer.int_param('12', dw) == 1)
    levels = 31.0 if winograd else 127.0
    return np.where(absmax > 0, levels / np.maximum(absmax, 1e-30),
                    1.0).astype(np.float32)


def write_int8(counts: str, layers: Sequence[Layer],
               weights: Dict[str, Tuple[np.ndarray, Optional[np.ndarray]]],
               absmax: Dict[str, float], names: set, param_file: str,
               bin_file: str) -> None:
    """Write the model with the convolutions ``names`` in int8."""
    out, lines = bytearray(), []
    for layer in layers:
        layer = dataclasses.replace(layer, params=dict(layer.params))
        lines.append(layer)
        if layer.type not in CONVS:
            continue
        w, bias = weights[layer.name]
        if layer.name not in names:
            out += struct.pack('<I', FP32_TAG) + w.astype('<f4').tobytes()
            if bias is not None:
                out += bias.astype('<f4').tobytes()
            continue
        scales = weight_scales(layer, w)
        q = np.clip(_round(w.reshape(len(scales), -1) * scales[:, None]),
                    -127, 127).astype(np.int8).tobytes()
        out += struct.pack('<I', INT8_TAG) + q + bytes(-len(q) % 4)
        if bias is not None:
            out += bias.astype('<f4').tobytes()
        out += scales.astype('<f4').tobytes()
        out += np.float32(127.0 / absmax[layer.name]).astype('<f4').tobytes()
        layer.params['8'] = '1' if layer.type == 'ConvolutionDepthWise' \
            else '2'
    with open(bin_file, 'wb') as f:
        f.write(bytes(out))
    with open(param_file, 'w') as f:
        f.write('\n'.join([MAGIC, counts] + [ly.line() for ly in lines]) +
                '\n')


def _labels(param_file: str, bin_file: str,
            batches: Sequence[np.ndarray]) -> np.ndarray:
    """Class maps of the model (its output's channel argmax)."""
    net = NcnnBackend(param_file, bin_file)
    return np.stack([net(batch).argmax(1) for batch in batches])


def quantize_ncnn(param_file: str, bin_file: str, imgs: Sequence[np.ndarray],
                  preprocess: Preprocess,
                  keep_float: Sequence[np.ndarray] = (),
                  min_agreement: Optional[float] = None) -> List[str]:
    """Rewrite an fp32 ncnn model in place as an int8 one; return the
    names of the convolutions left in fp32.

    Convolutions stay fp32 when they read the image itself, when their
    weights are in ``keep_float``, or when quantising that layer alone
    changes the class of more than ``100 - min_agreement`` % (default
    :data:`LAYER_AGREEMENT`) of the pixels of :data:`SENSITIVITY_IMAGES`
    calibration images; RuntimeError when none is left to quantise.
    """
    if min_agreement is None:
        min_agreement = LAYER_AGREEMENT
    counts, layers = read_param(param_file)
    weights = read_weights(bin_file, layers)

    def kept(w: np.ndarray) -> bool:
        return any(k.size == w.size and np.allclose(k, w, rtol=1e-5,
                                                    atol=1e-7)
                   for k in keep_float)

    image = image_blobs(layers)
    convs = [ly for ly in layers if ly.type in CONVS
             and ly.bottoms[0] not in image and not kept(weights[ly.name][0])]
    batches = [preprocess([img]) for img in imgs]
    absmax = input_absmax(param_file, bin_file, convs, batches)
    step = max(1, len(batches) // SENSITIVITY_IMAGES)
    probe = batches[::step][:SENSITIVITY_IMAGES]
    ref = _labels(param_file, bin_file, probe)
    chosen = set()
    with tempfile.TemporaryDirectory() as tmp:
        trial = [os.path.join(tmp, f'm.{ext}') for ext in ('param', 'bin')]
        for conv in convs:
            if absmax[conv.name] <= 0:
                continue
            write_int8(counts, layers, weights, absmax, {conv.name}, *trial)
            if 100 * np.mean(_labels(*trial, probe) == ref) >= min_agreement:
                chosen.add(conv.name)
    if not chosen:
        raise RuntimeError(
            f'{param_file}: quantising any one of its {len(convs)} '
            f'candidate convolutions alone changes the class of more than '
            f'{100 - min_agreement:g} % of the calibration pixels, so none '
            'is quantised; export it in fp32, or lower '
            'quantization.layer_agreement')
    write_int8(counts, layers, weights, absmax, chosen, param_file, bin_file)
    return [ly.name for ly in layers
            if ly.type in CONVS and ly.name not in chosen]
