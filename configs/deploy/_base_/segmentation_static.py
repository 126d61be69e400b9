# Segmentation with a fixed input shape: that of the sample image given to
# tools/deploy.py after padding (an M2NIST 64x84 image: a (1, 1, 64, 96)
# tensor); the output is the class index map (argmax in the graph).
_base_ = ['./onnx_config.py']
codebase_config = dict(type='mmseg', task='Segmentation', with_argmax=True)
