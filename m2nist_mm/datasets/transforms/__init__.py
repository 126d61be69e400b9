from mmdet.registry import TRANSFORMS as DET_TRANSFORMS

from .augment import RandomTranslate
from .loading import LoadDigitImage, ToGray, array_loading
from .scale import RandomDigitScale

# registered in mmseg's TRANSFORMS where defined; detection pipelines
# (mmdet scope) find them in mmdet's registry
for _transform in (LoadDigitImage, ToGray, RandomTranslate):
    DET_TRANSFORMS.register_module(module=_transform)

__all__ = [
    'LoadDigitImage', 'ToGray', 'RandomTranslate', 'RandomDigitScale',
    'array_loading'
]
