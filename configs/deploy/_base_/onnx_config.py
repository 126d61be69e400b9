# ONNX export settings shared by every deploy config (mmdeploy's layout).
# opset 11 is what mmdeploy's rewriters target; the exporter is the
# TorchScript one (m2nist_mm.deploy turns torch's dynamo default off).
onnx_config = dict(
    type='onnx',
    export_params=True,
    keep_initializers_as_inputs=False,
    opset_version=11,
    save_file='end2end.onnx',
    input_names=['input'],
    output_names=['output'],
    input_shape=None,
    optimize=True)
