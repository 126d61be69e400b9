_base_ = ['./_base_/segmentation_static.py',
          './_base_/backends/onnxruntime.py']
