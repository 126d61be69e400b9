from .digit_iou import DigitIoUMetric

__all__ = ['DigitIoUMetric']
