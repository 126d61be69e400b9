_base_ = ['./_base_/segmentation_dynamic.py', './_base_/backends/openvino.py',
          './_base_/int8_quantization.py']
# The quantised QDQ graph: OpenVINO runs its quantised layers in int8.
onnx_config = dict(opset_version=13)
backend_config = dict(precision='INT8', quantization={{_base_.quantization}})
