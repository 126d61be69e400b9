_base_ = ['./_base_/segmentation_static.py', './_base_/backends/tensorrt.py']
backend_config = dict(model_inputs=[
    dict(input_shapes=dict(input=dict(min_shape=[1, 1, 64, 96],
                                      opt_shape=[1, 1, 64, 96],
                                      max_shape=[1, 1, 64, 96])))
])
