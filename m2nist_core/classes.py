"""The M2NIST classes: digit ``d`` has index ``d``, background is 10."""
CLASSES = ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'background')
#: RGB colour of each class (background black, like the images).
PALETTE = [[230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200],
           [245, 130, 48], [145, 30, 180], [70, 240, 240], [240, 50, 230],
           [210, 245, 60], [250, 190, 212], [0, 0, 0]]
#: Index of the background class; the digits are ``CLASSES[:BACKGROUND]``.
BACKGROUND = 10
#: The digit classes (detection has no background class).
DIGITS = CLASSES[:BACKGROUND]
