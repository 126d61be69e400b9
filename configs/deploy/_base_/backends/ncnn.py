# Converted with the PyPI pnnx tool (mmdeploy's onnx2ncnn is not shipped);
# fp32 weights and arithmetic so the model matches PyTorch.
backend_config = dict(type='ncnn', precision='FP32', use_vulkan=False)
