import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import OPTIM_WRAPPERS


def test_forward_runs_in_bfloat16_and_updates_float32_weights():
    init_default_scope('mmseg')
    model = torch.nn.Conv2d(1, 4, 3)
    wrapper = OPTIM_WRAPPERS.build(
        dict(type='CPUAmpOptimWrapper',
             optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.randn(2, 1, 8, 8))
    assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().square().mean())
    assert model.weight.dtype == torch.float32
    assert not torch.equal(model.weight, before)


def test_bad_dtype():
    with pytest.raises(ValueError, match='dtype must be'):
        OPTIM_WRAPPERS.build(dict(type='CPUAmpOptimWrapper', dtype='int8',
                                  optimizer=torch.optim.SGD(
                                      [torch.nn.Parameter(torch.ones(1))],
                                      lr=0.1)))
