from .detail_fast_scnn import DetailFastSCNN

__all__ = ['DetailFastSCNN']
