"""Handing a digit-naming model the training set's digits."""
import numpy as np
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS


@HOOKS.register_module()
class TrainDigitsHook(Hook):
    """Before training, give a model whose classifier learns from all the
    training set's digits (``train_digits`` set, e.g.
    ``DigitNamingEncoderDecoder``) the images and class masks of the
    training data set, as its samples carry them (``img``,
    ``gt_seg_map``: M2NIST's array data sets); other models are left
    alone. The digits are the same on every start, ``--resume`` included.
    """

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if getattr(model, 'train_digits', None) is None:
            return
        dataset = runner.train_dataloader.dataset
        images, masks = [], []
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            if not {'img', 'gt_seg_map'} <= set(info):
                raise ValueError(
                    f'TrainDigitsHook: sample {i} of the training set '
                    f'({type(dataset).__name__}) carries no img / '
                    'gt_seg_map arrays to crop digits from; set '
                    'model.train_digits=None')
            images.append(info['img'])
            masks.append(info['gt_seg_map'])
        model.set_train_digits(np.stack(images), np.stack(masks))
