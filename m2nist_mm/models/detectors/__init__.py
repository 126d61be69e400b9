from .digit_naming_rtmdet import DigitNamingRTMDet

__all__ = ['DigitNamingRTMDet']
