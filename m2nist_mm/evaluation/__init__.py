from .metrics import DigitIoUMetric

__all__ = ['DigitIoUMetric']
