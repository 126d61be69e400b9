# Engines are built with the TensorRT (10+) Python API of the tensorrt wheel.
backend_config = dict(
    type='tensorrt', common_config=dict(fp16_mode=False,
                                        max_workspace_size=1 << 30))
