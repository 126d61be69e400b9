from .metrics import DigitIoUMetric, class_map_metrics

__all__ = ['DigitIoUMetric', 'class_map_metrics']
