# The M2NIST FastSCNN on MNIST extended's own arrays: what its
# create_semantic_segmentation_dataset returns, saved with np.save as
# train_x.npy / train_y.npy / test_x.npy / test_y.npy (images in [0, 1],
# targets with one channel per digit and no background channel; any image
# size, 60x60 by default). MNIST extended has no validation split: the test
# arrays validate. Its digit classifier learns from the training arrays'
# digits alone (which MNIST digits its test arrays hold is not known).
_base_ = ['./m2nist_fastscnn.py']
model = dict(extra_digits=None)
mnist_extended = dict(
    data_root='data/mnist_extended',
    layout='mnist_extended',
    img_shape=None,
    split='all')
train_dataloader = dict(
    dataset=dict(mnist_extended, img_file='train_x.npy',
                 seg_file='train_y.npy'))
val_dataloader = dict(
    dataset=dict(mnist_extended, img_file='test_x.npy',
                 seg_file='test_y.npy'))
test_dataloader = val_dataloader
