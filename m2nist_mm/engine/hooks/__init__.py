from .visualization_hook import ArraySegVisualizationHook

__all__ = ['ArraySegVisualizationHook']
