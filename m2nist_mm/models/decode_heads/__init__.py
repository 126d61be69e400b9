from .detail_refine_head import DetailRefineHead

__all__ = ['DetailRefineHead']
