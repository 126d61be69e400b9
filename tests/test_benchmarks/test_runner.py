"""Reading validation curves from mmengine's logs."""
import json
from datetime import datetime

from benchmarks.runner import val_curve

LOG = """\
2026/11/21 10:00:00 - mmengine - INFO - Iter(train) [ 100/300]  lr: 1e-3
2026/11/21 10:01:00 - mmengine - INFO - Iter(val) [10/10]    mIoU: 50.0000  \
digit_mIoU: 40.0000
2026/11/21 10:02:00 - mmengine - INFO - Iter(train) [ 200/300]  lr: 1e-3
2026/11/21 10:03:00 - mmengine - INFO - Iter(val) [10/10]    mIoU: 60.0000  \
digit_mIoU: 55.5000
"""


def test_iterations_come_from_scalars_json(tmp_path):
    run = tmp_path / '20261121_095900'
    (run / 'vis_data').mkdir(parents=True)
    (run / 'run.log').write_text(LOG)
    t0 = datetime(2026, 11, 21, 10, 0).timestamp()
    curve = val_curve(str(run / 'run.log'), t0)
    # without scalars.json: the last logged training iteration
    assert [c[0] for c in curve] == [100, 200]
    records = [dict(lr=1e-3, step=100), dict(digit_mIoU=40.0, step=125),
               dict(lr=1e-3, step=200), dict(digit_mIoU=55.5, step=250)]
    (run / 'vis_data' / 'scalars.json').write_text(
        '\n'.join(json.dumps(r) for r in records))
    curve = val_curve(str(run / 'run.log'), t0)
    assert [(c[0], c[1], c[2]['digit_mIoU']) for c in curve] == [
        (125, 1.0, 40.0), (250, 3.0, 55.5)]
