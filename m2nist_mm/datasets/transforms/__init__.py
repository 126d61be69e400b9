from .augment import RandomDigitWarp, RandomTranslate
from .loading import LoadDigitImage, ToGray, array_loading
from .scale import RandomDigitScale

__all__ = [
    'LoadDigitImage', 'ToGray', 'RandomTranslate', 'RandomDigitWarp',
    'RandomDigitScale', 'array_loading'
]
