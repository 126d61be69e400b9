from .augment import RandomDigitWarp, RandomTranslate
from .loading import LoadDigitImage, ToGray, array_loading

__all__ = [
    'LoadDigitImage', 'ToGray', 'RandomTranslate', 'RandomDigitWarp',
    'array_loading'
]
