_base_ = ['./_base_/segmentation_dynamic.py', './_base_/backends/openvino.py']
# fp32 weights, bf16 arithmetic: refused on a CPU without bf16
# (AVX-512 BF16 or AMX).
backend_config = dict(precision='BF16')
