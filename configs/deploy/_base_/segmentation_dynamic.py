# Any batch size and any image size (padded to a multiple of 32).
_base_ = ['./segmentation_static.py']
onnx_config = dict(
    dynamic_axes=dict(
        input={0: 'batch', 2: 'height', 3: 'width'},
        output={0: 'batch', 2: 'height', 3: 'width'}))
