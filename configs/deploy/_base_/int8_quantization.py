# Static int8 quantisation with ONNX Runtime's quantiser: a QDQ graph with
# per-output-channel int8 weights and uint8 activations whose ranges are the
# min/max seen on the calibration images (configs set it as
# backend_config.quantization, and onnx_config.opset_version = 13, which
# per-channel QDQ needs).
quantization = dict(format='QDQ', per_channel=True,
                    activation_type='QUInt8', weight_type='QInt8',
                    method='MinMax')
# 1024 images spread evenly over the model config's training set, loaded
# as its test pipeline loads them (tools/deploy.py --calib-img overrides).
calib_config = dict(dataset='train', num_images=1024)
