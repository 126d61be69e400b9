from .augment import RandomTranslate
from .loading import LoadDigitImage, ToGray, array_loading
from .scale import RandomDigitScale

__all__ = [
    'LoadDigitImage', 'ToGray', 'RandomTranslate', 'RandomDigitScale',
    'array_loading'
]
