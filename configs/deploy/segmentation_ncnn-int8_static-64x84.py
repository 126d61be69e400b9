_base_ = ['./segmentation_ncnn_static-64x84.py']
# ncnn's own int8 scheme (what its ncnn2table and ncnn2int8 tools write):
# int8 weights per output channel, each convolution's input quantised to
# signed int8 by the max |x| seen on the calibration images. A convolution
# stays fp32 when it reads the image, or when quantising it alone changes
# the class of more than 100 - layer_agreement % of the pixels of 64
# calibration images (one input scale per layer does not suit a layer whose
# input channels differ widely in range).
backend_config = dict(
    precision='INT8',
    quantization=dict(format='ncnn', activation_type='QInt8',
                      weight_type='QInt8', per_channel=True,
                      method='MinMax', layer_agreement=99.97))
# 1024 images spread evenly over the model config's training set
# (tools/deploy.py --calib-img overrides).
calib_config = dict(dataset='train', num_images=1024)
