from .augment import RandomTranslate
from .loading import LoadDigitImage, ToGray

__all__ = ['LoadDigitImage', 'ToGray', 'RandomTranslate']
