from .digit_cnn import DigitCNN

__all__ = ['DigitCNN']
