"""Handing a digit-naming model the training set's digits."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS


@HOOKS.register_module()
class TrainDigitsHook(Hook):
    """Before training, give a model whose classifier learns from all the
    training set's digits (``train_digits`` set, e.g.
    ``DigitNamingEncoderDecoder``, ``DigitNamingRTMDet``) the training data
    set's samples, whose data infos carry the arrays the model crops them
    from (``TRAIN_INFO_KEYS``: ``img`` and ``gt_seg_map``, or ``img`` and
    ``instances``: M2NIST's array data sets); other models are left alone.
    The digits are the same on every start, ``--resume`` included.
    """

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if getattr(model, 'train_digits', None) is None:
            return
        dataset = runner.train_dataloader.dataset

        def infos():
            for i in range(len(dataset)):
                info = dataset.get_data_info(i)
                missing = model.TRAIN_INFO_KEYS - set(info)
                if missing:
                    raise ValueError(
                        f'TrainDigitsHook: sample {i} of the training set '
                        f'({type(dataset).__name__}) carries no '
                        f'{" / ".join(sorted(missing))} to crop digits '
                        'from; set model.train_digits=None')
                yield info

        model.set_train_digits(infos())
