_base_ = ['./_base_/segmentation_dynamic.py',
          './_base_/backends/onnxruntime.py', './_base_/int8_quantization.py']
# The graph ONNX Runtime runs with int8 kernels; any batch and image size.
onnx_config = dict(opset_version=13)
backend_config = dict(precision='INT8', quantization={{_base_.quantization}})
