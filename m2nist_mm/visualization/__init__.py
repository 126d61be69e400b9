from .local_visualizer import DigitSegLocalVisualizer

__all__ = ['DigitSegLocalVisualizer']
