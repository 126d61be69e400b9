# ncnn's ArgMax layer is not built in the PyPI wheel: the graph ends at the
# logits and the runtime takes the argmax.
_base_ = ['./_base_/segmentation_static.py', './_base_/backends/ncnn.py']
codebase_config = dict(with_argmax=False)
