"""Scale-normalised inference: measure the digits' size, bring them to the
size the model was trained at, and label the ink.

MNIST digits are drawn in a 20-pixel box, so in an M2NIST image at digit
scale ``s`` each digit's ink is about ``DIGIT_HEIGHT * s`` pixels tall.
``ink_height`` measures it: the image's ink components (8-connected pixels
above a quarter of its brightest value), each one's height where its row
profile crosses half that value (linear interpolation, so it is sub-pixel
even for 14-pixel digits), the median over the components holding at least
a quarter of the largest one's ink (so specks and broken-off strokes do not
count). ``predict_normalised`` rescales each image by ``DIGIT_HEIGHT /
height`` (bicubic up, area down, as ``scale_channels``), runs the model
exactly as ``tools/test.py`` would and resizes its probabilities back.

With ``ink_rule`` the pixels whose grey value is 0 are background and every
other pixel gets its most probable digit class: M2NIST's masks are defined
that way (``mask = pixel > 0``), at every scale, while resampling an image
moves the faint outline that decides ``> 0``.
"""
from typing import Optional

import numpy as np
import torch
from scipy import ndimage

from .scale_channels import channel_probs

#: median ``ink_height`` of M2NIST digits at scale 1 (MNIST val digits)
DIGIT_HEIGHT = 19.9


def _extent(profile: np.ndarray, level: float) -> float:
    """Length over which a zero-padded 1-D ``profile`` is ``>= level``,
    its two ends linearly interpolated."""
    idx = np.flatnonzero(profile >= level)
    a, b = idx[0], idx[-1]
    top = a - (profile[a] - level) / (profile[a] - profile[a - 1])
    bottom = b + (profile[b] - level) / (profile[b] - profile[b + 1])
    return float(bottom - top)


def ink_height(image: np.ndarray) -> Optional[float]:
    """Median sub-pixel height of the main ink components of a grey
    ``(H, W)`` image; ``None`` without ink."""
    if image.ndim != 2:
        raise ValueError(f'ink_height: expected a (H, W) grey image, got '
                         f'shape {image.shape}')
    img = image.astype(np.float32)
    level = img.max() / 2
    if level <= 0:
        return None
    labels, n = ndimage.label(img > level / 2, structure=np.ones((3, 3)))
    mass = ndimage.sum(img, labels, np.arange(1, n + 1))
    heights = []
    for i, box in enumerate(ndimage.find_objects(labels)):
        if mass[i] >= mass.max() / 4:
            own = np.where(labels[box] == i + 1, img[box], 0)
            heights.append(_extent(np.pad(own.max(1), 1), level))
    return float(np.median(heights))


def estimate_scale(image: np.ndarray,
                   digit_height: float = DIGIT_HEIGHT) -> float:
    """Digit scale of an M2NIST-style image, from its ink height.

    Args:
        image: A grey image ``(H, W)``.
        digit_height: The ink height of scale-1 digits (pixels).

    Returns:
        The scale (1.0 for an image without ink).
    """
    height = ink_height(image)
    return 1.0 if height is None else height / digit_height


@torch.no_grad()
def predict_normalised(model: torch.nn.Module, images: np.ndarray,
                       background: int, ink_rule: bool = True,
                       digit_height: float = DIGIT_HEIGHT) -> np.ndarray:
    """Segment each image rescaled so that its digits are at scale 1.

    Args:
        model: An mmseg segmentor trained at scale 1.
        images: Grey images ``(N, H, W)``.
        background: The background class index.
        ink_rule: Pixels of value 0 are background, every other pixel its
            most probable digit (M2NIST's masks are ``pixel > 0``).
        digit_height: The ink height of scale-1 digits (pixels).

    Returns:
        Class-index maps ``(N, H, W)``, ``uint8``, at the images' size.

    Raises:
        ValueError: Images not ``(N, H, W)`` or a non-positive height.
    """
    if images.ndim != 3:
        raise ValueError(f'images must be (N, H, W) grey, got shape '
                         f'{images.shape}')
    if digit_height <= 0:
        raise ValueError(f'digit_height must be positive, got {digit_height}')
    preds = np.empty(images.shape, np.uint8)
    for i, image in enumerate(images):
        factor = 1 / estimate_scale(image, digit_height)
        batch = torch.from_numpy(image.astype(np.float32))[None, None]
        probs = channel_probs(model, batch, factor)[0]
        if ink_rule:
            probs[background] = -1  # ink pixels: the most probable digit
            preds[i] = np.where(image > 0, probs.argmax(0).numpy(),
                                background)
        else:
            preds[i] = probs.argmax(0).numpy()
    return preds
