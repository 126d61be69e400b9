# configs/m2nist_fastscnn.py with more training images: M2NIST's 4000
# training images hold about 8000 digits; beside them the recipe composes
# 36000 more images,
# on the fly, from 48558 MNIST train digits none of which is in an M2NIST
# validation or test image (M2NISTRecipeDataset; MNIST t10k is never read).
# Needs MNIST in data/mnist (tools/prepare_data.py puts it there).
_base_ = './m2nist_fastscnn.py'
mnist_extra = dict(
    type='M2NISTRecipeDataset',
    mnist_root='data/mnist',
    num_images=36000,
    pipeline={{_base_.train_dataloader.dataset.pipeline}})
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[{{_base_.train_dataloader.dataset}}, mnist_extra]))
