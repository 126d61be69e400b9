# OpenVINO IR (.xml + .bin) written by openvino.convert_model (mmdeploy 1.3's
# OpenVINO wrapper needs the 2022 Model Optimizer); the runtime compiles it
# for each input shape it meets. precision: FP32, BF16 or INT8.
backend_config = dict(type='openvino', precision='FP32')
