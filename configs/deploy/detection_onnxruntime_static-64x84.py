_base_ = ['./_base_/detection_static.py', './_base_/backends/onnxruntime.py']
